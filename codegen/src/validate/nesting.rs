//! Limits on how object types nest, so every accepted spec compiles and has
//! finite test samples: how many object types deep one type reaches, and how
//! many values its smallest sample needs.

use std::collections::HashMap;

use crate::error::SpecError;
use crate::load::{RawSpec, S};
use crate::model::{TypeExpr, TypeId};
use crate::samples::HARD_SIZE;

use crate::query::Kind;

/// How many object types deep one type may reach through its fields (by
/// value, nilable, or in lists and maps), counting itself. Rust checks that a
/// request is `Send` by looking through every nested type; past about 64
/// nested `Option`s its trait solver gives up (E0275), so the limit leaves room.
pub const MAX_TYPE_DEPTH: usize = 48;

/// One object type and what its fields refer to.
struct Node<'a> {
    name: &'a S<String>,
    id: TypeId,
    /// Object types its fields name, each with whether the field holds it by
    /// value and always (not nilable, not in a list or map).
    refs: Vec<(usize, bool)>,
    /// Its fields that are always present and hold no object type.
    required_leaves: usize,
}

/// Every problem of the two limits.
pub(super) fn check(spec: &RawSpec, kinds: &HashMap<TypeId, Kind>) -> Vec<SpecError> {
    let nodes = graph(spec, kinds);
    let comps = components(&nodes);
    let mut errors = Vec::new();
    depth(spec, &nodes, &comps, &mut errors);
    size(spec, &nodes, &comps, &mut errors);
    errors
}

fn graph<'a>(spec: &'a RawSpec, kinds: &HashMap<TypeId, Kind>) -> Vec<Node<'a>> {
    let mut index: HashMap<TypeId, usize> = HashMap::new();
    let mut types = Vec::new();
    for file in &spec.type_files {
        for t in &file.body.types {
            let id = file.type_id(&t.name);
            index.entry(id.clone()).or_insert(types.len());
            types.push((t, id));
        }
    }
    types
        .into_iter()
        .map(|(t, id)| {
            let mut refs = Vec::new();
            let mut required_leaves = 0;
            for f in &t.fields {
                let Some(def) = spec.field_definition(f) else {
                    continue;
                };
                let nilable = f.nilable.as_ref().is_some_and(|n| **n);
                let Some(Ok(mut expr)) = def.ty.as_ref().map(|ty| TypeExpr::parse(ty)) else {
                    continue;
                };
                let mut contained = false;
                while let TypeExpr::List(inner) | TypeExpr::Map(inner) = expr {
                    contained = true;
                    expr = *inner;
                }
                match expr {
                    TypeExpr::Named(to) if kinds.get(&to) == Some(&Kind::Object) => {
                        if let Some(&to) = index.get(&to) {
                            refs.push((to, !nilable && !contained));
                        }
                    }
                    _ if !nilable => required_leaves += 1,
                    _ => {}
                }
            }
            Node {
                name: &t.name,
                id,
                refs,
                required_leaves,
            }
        })
        .collect()
}

/// Strongly connected components (Kosaraju, without recursion), each a list
/// of nodes, in topological order: a component only refers to later ones or
/// to itself. Also each node's component.
struct Components {
    members: Vec<Vec<usize>>,
    of: Vec<usize>,
}

fn components(nodes: &[Node]) -> Components {
    let n = nodes.len();
    let mut order = Vec::with_capacity(n);
    let mut visited = vec![false; n];
    for root in 0..n {
        if visited[root] {
            continue;
        }
        visited[root] = true;
        let mut stack = vec![(root, 0)];
        while let Some((node, next)) = stack.last_mut() {
            if let Some(&(to, _)) = nodes[*node].refs.get(*next) {
                *next += 1;
                if !visited[to] {
                    visited[to] = true;
                    stack.push((to, 0));
                }
            } else {
                order.push(*node);
                stack.pop();
            }
        }
    }
    let mut reverse = vec![Vec::new(); n];
    for (from, node) in nodes.iter().enumerate() {
        for &(to, _) in &node.refs {
            reverse[to].push(from);
        }
    }
    let mut of = vec![usize::MAX; n];
    let mut members = Vec::new();
    for &root in order.iter().rev() {
        if of[root] != usize::MAX {
            continue;
        }
        let comp = members.len();
        let mut list = vec![root];
        of[root] = comp;
        let mut i = 0;
        while i < list.len() {
            for &from in &reverse[list[i]] {
                if of[from] == usize::MAX {
                    of[from] = comp;
                    list.push(from);
                }
            }
            i += 1;
        }
        members.push(list);
    }
    Components { members, of }
}

/// Types nested deeper than [`MAX_TYPE_DEPTH`], reported once at each
/// outermost one. Types in a cycle (through lists, maps or nilable fields)
/// count as deep as the cycle is long.
fn depth(spec: &RawSpec, nodes: &[Node], comps: &Components, errors: &mut Vec<SpecError>) {
    let count = comps.members.len();
    let mut deepest = vec![0usize; count];
    // The component each one's longest chain continues into.
    let mut next: Vec<Option<usize>> = vec![None; count];
    let mut referred = vec![false; count];
    for c in (0..count).rev() {
        let mut best = 0;
        for &m in &comps.members[c] {
            for &(to, _) in &nodes[m].refs {
                let d = comps.of[to];
                if d != c {
                    referred[d] = true;
                    if deepest[d] > best {
                        best = deepest[d];
                        next[c] = Some(d);
                    }
                }
            }
        }
        deepest[c] = comps.members[c].len() + best;
    }
    for c in 0..count {
        if deepest[c] <= MAX_TYPE_DEPTH || referred[c] {
            continue;
        }
        let mut chain = Vec::new();
        let mut at = Some(c);
        while let Some(here) = at {
            chain.push(nodes[comps.members[here][0]].id.to_string());
            at = next[here];
        }
        let shown = if chain.len() > 6 {
            format!(
                "{} → … → {}",
                chain[..3].join(" → "),
                chain[chain.len() - 2..].join(" → ")
            )
        } else {
            chain.join(" → ")
        };
        let node = &nodes[comps.members[c][0]];
        errors.push(spec.error_at_value(
            node.name,
            format!(
                "type `{}` nests {} object types deep ({shown}); types nest at most {MAX_TYPE_DEPTH} deep (deeper, rustc cannot check that a request is `Send`); make the chain shorter",
                node.id,
                deepest[c]
            ),
        ));
    }
}

/// Types whose smallest sample (every nilable field left out, lists and maps
/// empty) needs more than [`HARD_SIZE`] values: the generated tests build one.
/// Reported at the outermost such type; skipped where types hold themselves
/// by value (reported elsewhere).
fn size(spec: &RawSpec, nodes: &[Node], comps: &Components, errors: &mut Vec<SpecError>) {
    let count = comps.members.len();
    let mut values = vec![0usize; nodes.len()];
    for c in (0..count).rev() {
        let members = &comps.members[c];
        let by_value_cycle = members.iter().any(|&m| {
            nodes[m]
                .refs
                .iter()
                .any(|&(to, always)| always && comps.of[to] == c)
        });
        if by_value_cycle {
            continue;
        }
        for &m in members {
            let node = &nodes[m];
            let mut total = 1 + node.required_leaves;
            for &(to, always) in &node.refs {
                if always {
                    total = total.saturating_add(values[to]);
                }
            }
            values[m] = total;
        }
    }
    // Report the outermost types only: whatever holds a type too large is too large too.
    let mut held = vec![false; nodes.len()];
    for node in nodes {
        for &(to, always) in &node.refs {
            held[to] |= always;
        }
    }
    for (m, node) in nodes.iter().enumerate() {
        let total = values[m];
        if total > HARD_SIZE && !held[m] {
            errors.push(spec.error_at_value(
                node.name,
                format!(
                    "type `{}` needs {total} values even with every nilable field left out; the generated tests build a sample of each type, and a sample holds at most {HARD_SIZE} values; split the type or make fields nilable",
                    node.id
                ),
            ));
        }
    }
}
