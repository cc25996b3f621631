//! Sample values for every spec type, shared by the generated endpoint tests
//! (which build Rust requests from them) and the test harness (which builds
//! the JSON it expects on the wire from them).

use std::collections::HashMap;

use crate::model::{Api, Field, Location, Param, Ty, TypeId};

/// Path values contain the characters that must be percent-encoded.
pub const PATH_SUFFIX: &str = "/a b+c@d";
/// The timestamp used wherever one is needed.
pub const TIMESTAMP: &str = "2024-01-02T03:04:05Z";

/// A sample value, independent of how it is written.
#[derive(Debug, Clone, PartialEq)]
pub enum Sample {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float.
    Num(f64),
    /// A boolean.
    Bool(bool),
    /// The [`TIMESTAMP`].
    Timestamp,
    /// A small JSON object `{"sample": <name>}`.
    Json(String),
    /// A one-element list.
    List(Box<Sample>),
    /// A one-entry map with key `key`.
    Map(Box<Sample>),
    /// An enum value.
    Enum {
        /// The enum that defines the value (aliases resolved).
        id: TypeId,
        /// Wire string.
        wire: String,
        /// Rust variant.
        variant: String,
    },
    /// An object with the listed fields (absent nilable fields are left out).
    Object {
        /// The type.
        id: TypeId,
        /// Fields with their samples; `None` for nilable fields left unset.
        fields: Vec<(FieldInfo, Option<Sample>)>,
    },
    /// A member session with both credentials.
    Session,
}

/// What a sample needs to know about a field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldInfo {
    /// Wire name.
    pub name: String,
    /// Rust name.
    pub rust_name: String,
    /// Whether it is an `Option`.
    pub nilable: bool,
}

/// Looks types up by id.
pub struct Samples<'a> {
    objects: HashMap<TypeId, &'a [Field]>,
    enums: HashMap<TypeId, (TypeId, &'a str, &'a str)>,
}

impl<'a> Samples<'a> {
    /// Indexes the model.
    pub fn new(api: &'a Api) -> Self {
        let mut objects = HashMap::new();
        let mut firsts = HashMap::new();
        let mut aliases = Vec::new();
        for v in &api.verticals {
            for m in &v.models {
                let id = |name: &str| TypeId {
                    vertical: v.name.clone(),
                    module: m.name.clone(),
                    name: name.to_owned(),
                };
                for t in &m.types {
                    objects.insert(id(&t.name), t.fields.as_slice());
                }
                for e in &m.enums {
                    match (&e.same_as, e.values.first()) {
                        (Some(target), _) => aliases.push((id(&e.name), target.clone())),
                        (None, Some(first)) => {
                            firsts.insert(
                                id(&e.name),
                                (id(&e.name), first.wire.as_str(), first.rust_name.as_str()),
                            );
                        }
                        (None, None) => {}
                    }
                }
            }
        }
        for (alias, target) in aliases {
            if let Some(found) = firsts.get(&target).cloned() {
                firsts.insert(alias, found);
            }
        }
        Samples {
            objects,
            enums: firsts,
        }
    }

    /// The sample of a request parameter (every optional part set, numbers inside their bounds).
    pub fn param(&self, p: &Param) -> Sample {
        if let Some(value) = &p.fixed {
            return Sample::Str(value.clone());
        }
        match (&p.ty, &p.location) {
            (Ty::String, Location::Path) => Sample::Str(format!("{}{PATH_SUFFIX}", p.name)),
            (Ty::Integer, _) => Sample::Int(integer(p.min, p.max)),
            (ty, _) => self.value(ty, &p.name, true, 0),
        }
    }

    /// The sample of a response field; `full` also fills nilable fields.
    pub fn value(&self, ty: &Ty, name: &str, full: bool, depth: usize) -> Sample {
        match ty {
            Ty::String => Sample::Str(format!("{name}-sample")),
            Ty::Integer => Sample::Int(7),
            Ty::Number => Sample::Num(1.5),
            Ty::Boolean => Sample::Bool(true),
            Ty::Timestamp => Sample::Timestamp,
            Ty::Json => Sample::Json(name.to_owned()),
            Ty::List(inner) => Sample::List(Box::new(self.value(inner, name, full, depth + 1))),
            Ty::Map(inner) => Sample::Map(Box::new(self.value(inner, name, full, depth + 1))),
            Ty::MemberSessionAuth => Sample::Session,
            Ty::Enum(id) => match self.enums.get(id) {
                Some((def, wire, variant)) => Sample::Enum {
                    id: def.clone(),
                    wire: (*wire).to_owned(),
                    variant: (*variant).to_owned(),
                },
                None => Sample::Str(String::new()),
            },
            Ty::Object(id) => {
                let fields = self.objects.get(id).copied().unwrap_or_default();
                let fields = fields
                    .iter()
                    .map(|f| {
                        let info = FieldInfo {
                            name: f.name.clone(),
                            rust_name: f.rust_name.clone(),
                            nilable: f.nilable,
                        };
                        let set = !f.nilable || (full && depth < 6);
                        (
                            info,
                            set.then(|| self.value(&f.ty, &f.name, full, depth + 1)),
                        )
                    })
                    .collect();
                Sample::Object {
                    id: id.clone(),
                    fields,
                }
            }
        }
    }
}

/// The sample integer for a parameter with optional bounds: inside them.
pub fn integer(min: Option<i64>, max: Option<i64>) -> i64 {
    min.or(max).unwrap_or(7)
}
