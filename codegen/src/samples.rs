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
    /// An empty list, where a sample stops growing.
    EmptyList,
    /// An empty map, where a sample stops growing.
    EmptyMap,
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
                let id = |name: &str| v.type_id(&m.name, name);
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
        self.try_param(p)
            .unwrap_or_else(|_| Sample::Str(String::new()))
    }

    /// [`Samples::param`], or why the parameter has no finite sample.
    pub fn try_param(&self, p: &Param) -> Result<Sample, String> {
        if let Some(value) = &p.fixed {
            return Ok(Sample::Str(value.clone()));
        }
        match (&p.ty, &p.location) {
            (Ty::String, Location::Path) => Ok(Sample::Str(format!("{}{PATH_SUFFIX}", p.name))),
            (Ty::Integer, _) => Ok(Sample::Int(integer(p.min, p.max))),
            (ty, _) => self.try_value(ty, &p.name, true, 0),
        }
    }

    /// The sample of a response field; `full` also fills nilable fields.
    ///
    /// Samples stay small for any spec: nilable fields are filled only
    /// [`FILL_DEPTH`] objects deep, and once a sample holds [`SIZE_BUDGET`]
    /// values, or lists and maps are [`CONTAINER_DEPTH`] deep, nilable fields
    /// are left out and lists and maps are left empty. (A spec whose types
    /// contain themselves by value has no finite sample; the validator rejects
    /// it, and this falls back to an empty string.)
    pub fn value(&self, ty: &Ty, name: &str, full: bool, depth: usize) -> Sample {
        self.try_value(ty, name, full, depth)
            .unwrap_or_else(|_| Sample::Str(String::new()))
    }

    /// [`Samples::value`], or why the type has no finite sample.
    pub fn try_value(
        &self,
        ty: &Ty,
        name: &str,
        full: bool,
        depth: usize,
    ) -> Result<Sample, String> {
        let mut budget = Budget {
            left: SIZE_BUDGET,
            made: 0,
        };
        self.build(ty, name, full, depth, &mut budget).or_else(|_| {
            // Optional parts pulled in too much: the smallest sample, which
            // the validator keeps within `HARD_SIZE` values.
            let mut budget = Budget { left: 0, made: 0 };
            self.build(ty, name, full, depth, &mut budget)
        })
    }

    fn build(
        &self,
        ty: &Ty,
        name: &str,
        full: bool,
        depth: usize,
        budget: &mut Budget,
    ) -> Result<Sample, String> {
        if depth > HARD_DEPTH {
            return Err(format!(
                "`{name}` has no finite sample: its type contains itself through fields that are neither nilable nor lists or maps"
            ));
        }
        budget.made += 1;
        if budget.made > HARD_SIZE {
            return Err(format!(
                "the sample of `{name}` needs more than {HARD_SIZE} values even without optional parts"
            ));
        }
        budget.left = budget.left.saturating_sub(1);
        let grow = budget.left > 0 && depth < CONTAINER_DEPTH;
        Ok(match ty {
            Ty::String => Sample::Str(format!("{name}-sample")),
            Ty::Integer => Sample::Int(7),
            Ty::Number => Sample::Num(1.5),
            Ty::Boolean => Sample::Bool(true),
            Ty::Timestamp => Sample::Timestamp,
            Ty::Json => Sample::Json(name.to_owned()),
            Ty::List(inner) if grow => Sample::List(Box::new(self.build(
                inner,
                name,
                full,
                depth + 1,
                budget,
            )?)),
            Ty::Map(inner) if grow => Sample::Map(Box::new(self.build(
                inner,
                name,
                full,
                depth + 1,
                budget,
            )?)),
            Ty::List(_) => Sample::EmptyList,
            Ty::Map(_) => Sample::EmptyMap,
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
                let mut built = Vec::with_capacity(fields.len());
                for f in fields {
                    let info = FieldInfo {
                        name: f.name.clone(),
                        rust_name: f.rust_name.clone(),
                        nilable: f.nilable,
                    };
                    let set = !f.nilable || (full && depth < FILL_DEPTH && budget.left > 0);
                    let value = if set {
                        Some(self.build(&f.ty, &f.name, full, depth + 1, budget)?)
                    } else {
                        None
                    };
                    built.push((info, value));
                }
                Sample::Object {
                    id: id.clone(),
                    fields: built,
                }
            }
        })
    }
}

/// What a sample may still grow by, and how many values it holds.
struct Budget {
    left: usize,
    made: usize,
}

/// Nilable fields are filled in objects less deep than this.
pub const FILL_DEPTH: usize = 6;
/// Lists and maps this deep (counting objects on the way) are left empty.
pub const CONTAINER_DEPTH: usize = 12;
/// How many values one sample may hold before it stops growing.
pub const SIZE_BUDGET: usize = 400;
/// A sample that needs more values than this even after it stopped growing
/// (types that hold many others by value, many levels deep) is an error; the
/// validator refuses types whose smallest sample is larger.
pub const HARD_SIZE: usize = 10 * SIZE_BUDGET;
/// Past this depth a sample cannot be finished (only reached by by-value
/// cycles, or by-value chains longer than the validator allows).
const HARD_DEPTH: usize = 64;

/// The sample integer for a parameter with optional bounds: inside them.
pub fn integer(min: Option<i64>, max: Option<i64>) -> i64 {
    min.or(max).unwrap_or(7)
}
