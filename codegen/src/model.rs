//! The resolved model: what the renderer consumes. Every reference is
//! resolved, every name converted, every default filled in.

use std::collections::BTreeSet;

/// A parsed type expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// `string`
    String,
    /// `integer` (64-bit signed)
    Integer,
    /// `number` (64-bit float)
    Number,
    /// `boolean`
    Boolean,
    /// `timestamp` (RFC 3339)
    Timestamp,
    /// `json`: any JSON value
    Json,
    /// `list<T>`
    List(Box<Ty>),
    /// `map<T>`: object with string keys
    Map(Box<Ty>),
    /// `member_session_auth`: member session sent as headers
    MemberSessionAuth,
    /// An object type, by id
    Object(TypeId),
    /// A string enum, by id
    Enum(TypeId),
}

/// Id of an object type or enum: `<vertical>.<module>.<Name>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId {
    /// `consumer` or `b2b`.
    pub vertical: String,
    /// Module name.
    pub module: String,
    /// Name as written in the spec.
    pub name: String,
}

impl std::fmt::Display for TypeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.vertical, self.module, self.name)
    }
}

/// How many `list<…>`/`map<…>` a type expression may nest.
pub const MAX_TYPE_NESTING: usize = 8;

/// A type expression before names are looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeExpr {
    /// A built-in or container type; named leaves are in `Named`.
    Builtin(&'static str),
    /// `list<T>`
    List(Box<TypeExpr>),
    /// `map<T>`
    Map(Box<TypeExpr>),
    /// A dotted id of an object type or enum.
    Named(TypeId),
}

impl TypeExpr {
    /// Parses the spec's type grammar.
    ///
    /// Containers are peeled off in a loop, not by recursion, and at most
    /// [`MAX_TYPE_NESTING`] deep, so no input can exhaust the stack here or in
    /// the recursive passes over the result.
    pub fn parse(text: &str) -> Result<TypeExpr, String> {
        let whole = text.trim();
        let mut text = whole;
        let mut wrappers: Vec<fn(Box<TypeExpr>) -> TypeExpr> = Vec::new();
        'peel: loop {
            for (prefix, wrap) in [
                ("list<", TypeExpr::List as fn(Box<TypeExpr>) -> TypeExpr),
                ("map<", TypeExpr::Map),
            ] {
                if let Some(inner) = text.strip_prefix(prefix) {
                    if wrappers.len() == MAX_TYPE_NESTING {
                        return Err(format!(
                            "`{whole}` nests lists and maps more than {MAX_TYPE_NESTING} deep"
                        ));
                    }
                    text = inner
                        .strip_suffix('>')
                        .ok_or_else(|| format!("`{text}` is missing its closing `>`"))?
                        .trim();
                    wrappers.push(wrap);
                    continue 'peel;
                }
            }
            break;
        }
        let mut expr = TypeExpr::parse_leaf(text)?;
        while let Some(wrap) = wrappers.pop() {
            expr = wrap(Box::new(expr));
        }
        Ok(expr)
    }

    /// A type expression without `list<…>`/`map<…>` around it.
    fn parse_leaf(text: &str) -> Result<TypeExpr, String> {
        for builtin in [
            "string",
            "integer",
            "number",
            "boolean",
            "timestamp",
            "json",
            "member_session_auth",
        ] {
            if text == builtin {
                return Ok(TypeExpr::Builtin(builtin));
            }
        }
        match text.split('.').collect::<Vec<_>>().as_slice() {
            [vertical, module, name] if [vertical, module, name].iter().all(|p| !p.is_empty()) => {
                Ok(TypeExpr::Named(TypeId {
                    vertical: vertical.to_string(),
                    module: module.to_string(),
                    name: name.to_string(),
                }))
            }
            _ => Err(format!(
                "`{text}` is not a type: expected string, integer, number, boolean, timestamp, json, \
                 member_session_auth, list<T>, map<T> or a `<vertical>.<module>.<Name>` type id"
            )),
        }
    }
}

/// The whole API, ready to render.
#[derive(Debug)]
pub struct Api {
    /// Every product, in the order of [`crate::products::PRODUCTS`] (one the
    /// spec leaves out has no namespaces and no models).
    pub verticals: Vec<Vertical>,
}

/// One product line.
#[derive(Debug)]
pub struct Vertical {
    /// `consumer` or `b2b`.
    pub name: String,
    /// Top-level namespaces (each with its children).
    pub namespaces: Vec<Namespace>,
    /// Model modules of this vertical.
    pub models: Vec<ModelModule>,
}

/// A module of object types and enums.
#[derive(Debug)]
pub struct ModelModule {
    /// Module name.
    pub name: String,
    /// Verticals whose endpoints reach this module (decides its cargo features).
    pub used_by: BTreeSet<String>,
    /// Object types.
    pub types: Vec<ObjectType>,
    /// Enums.
    pub enums: Vec<EnumType>,
}

/// An object type.
#[derive(Debug)]
pub struct ObjectType {
    /// Name as written.
    pub name: String,
    /// Rust type name.
    pub rust_name: String,
    /// Doc text.
    pub doc: String,
    /// Fields.
    pub fields: Vec<Field>,
}

/// A string enum or an alias of one.
#[derive(Debug)]
pub struct EnumType {
    /// Name as written.
    pub name: String,
    /// Rust type name.
    pub rust_name: String,
    /// Doc text.
    pub doc: String,
    /// Variants, empty for an alias.
    pub values: Vec<EnumValue>,
    /// The enum this one is an alias of.
    pub same_as: Option<TypeId>,
}

/// One enum value.
#[derive(Debug)]
pub struct EnumValue {
    /// Exact wire string.
    pub wire: String,
    /// Rust variant name.
    pub rust_name: String,
    /// Doc text.
    pub doc: String,
    /// The API's placeholder for "not set" (the spec's `unknown:`): decoded
    /// from answers, refused in requests.
    pub sentinel: bool,
}

/// A group of endpoints at one place of the client tree.
#[derive(Debug)]
pub struct Namespace {
    /// Dotted id, e.g. `b2b.otps.email.discovery`.
    pub id: String,
    /// Client path segments.
    pub segments: Vec<String>,
    /// Rust module / accessor name (last segment).
    pub module: String,
    /// Rust name of the handle struct.
    pub handle: String,
    /// Doc text.
    pub doc: String,
    /// Host of its endpoints.
    pub host: Host,
    /// Endpoints.
    pub endpoints: Vec<Endpoint>,
    /// Child namespaces.
    pub children: Vec<Namespace>,
}

/// Which host an endpoint lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    /// Main API host.
    Api,
    /// Fraud / telemetry host.
    Telemetry,
}

/// Body encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// JSON body.
    Json,
    /// Query string.
    Query,
    /// Form body.
    Form,
}

/// One endpoint.
#[derive(Debug)]
pub struct Endpoint {
    /// Dotted id, e.g. `consumer.totps.create`.
    pub id: String,
    /// Name as written.
    pub name: String,
    /// Rust method name.
    pub method_name: String,
    /// Prefix of the request and response type names.
    pub type_prefix: String,
    /// HTTP method, upper case.
    pub http: String,
    /// Path template.
    pub path: String,
    /// How non-path parameters travel.
    pub encoding: Encoding,
    /// Doc text.
    pub doc: String,
    /// Whether repeating the call has no further effect (safe to retry).
    pub idempotent: bool,
    /// How to walk its pages, for a cursor-paginated endpoint.
    pub pagination: Option<Pagination>,
    /// Parameters.
    pub params: Vec<Param>,
    /// Response fields.
    pub response: Vec<Field>,
}

/// The cursor and items of a paginated endpoint.
#[derive(Debug, Clone)]
pub struct Pagination {
    /// Rust name of the request parameter carrying the cursor.
    pub cursor: String,
    /// Object fields leading from the response to the next cursor, outermost first.
    pub through: Vec<PathStep>,
    /// The string field holding the next cursor.
    pub next_cursor: PathStep,
    /// Rust name of the response field holding the items.
    pub items: String,
    /// Type of one item.
    pub item: Ty,
}

/// One field on the way to a value nested in a response.
#[derive(Debug, Clone)]
pub struct PathStep {
    /// Rust field name.
    pub rust_name: String,
    /// Whether the field is an `Option`.
    pub nilable: bool,
}

/// Where a parameter goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// Fills a path placeholder.
    Path,
    /// Query string.
    Query,
    /// Body.
    Body,
    /// Never sent: evaluated by the SDK itself once the response arrives.
    Local,
    /// Member session headers.
    Header {
        /// Header carrying the session token.
        token: String,
        /// Header carrying the session JWT.
        jwt: String,
    },
}

/// A request parameter.
#[derive(Debug)]
pub struct Param {
    /// Wire name.
    pub name: String,
    /// Rust field name.
    pub rust_name: String,
    /// Type.
    pub ty: Ty,
    /// Whether the API needs it.
    pub required: bool,
    /// Where it goes.
    pub location: Location,
    /// Smallest accepted value.
    pub min: Option<i64>,
    /// Largest accepted value.
    pub max: Option<i64>,
    /// Value applied when omitted.
    pub default: Option<i64>,
    /// A value the SDK always sends; the caller never sets it.
    pub fixed: Option<String>,
    /// How a list travels when the wire carries it as one string.
    pub format: Option<WireFormat>,
    /// Wire values, when the type is an enum (or a list of one).
    pub enum_values: Vec<String>,
    /// The enum's placeholder value that a request may not carry, when the
    /// type is an enum that has one.
    pub sentinel: Option<String>,
    /// Doc text.
    pub doc: String,
}

/// A list that the wire carries as a single string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireFormat {
    /// Items joined by single spaces (OAuth 2.0 `scope`).
    SpaceSeparated,
}

impl WireFormat {
    /// The spec spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            WireFormat::SpaceSeparated => "space_separated",
        }
    }
}

/// A response or object field.
#[derive(Debug)]
pub struct Field {
    /// Wire name.
    pub name: String,
    /// Rust field name.
    pub rust_name: String,
    /// Type.
    pub ty: Ty,
    /// Whether it may be null or absent.
    pub nilable: bool,
    /// Collects every key of the object that no other field names.
    pub rest: bool,
    /// The answer may lack it (so `nilable` is set), and then the SDK fills
    /// it with the HTTP status: the Rust field is never an `Option`.
    pub http_status: bool,
    /// Wire values, when the type is an enum (or a list of one).
    pub enum_values: Vec<String>,
    /// Doc text.
    pub doc: String,
}

impl Field {
    /// Whether the Rust field is an `Option`: nilable on the wire, and not
    /// filled in by the SDK when absent.
    pub fn optional(&self) -> bool {
        self.nilable && !self.http_status
    }
}
