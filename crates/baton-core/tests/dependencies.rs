//! The workspace's dependency invariants, checked against `cargo metadata --all-features`:
//!
//! - (a) baton-core never reaches a web framework, async runtime, database, JWT or
//!   password/crypto-token crate (the [`DENIED`] list) through its non-dev dependencies,
//!   directly or transitively — except the dependencies only its `testing` feature turns on
//!   (the contract suites run on tokio), which the core's own code never uses;
//! - (b) an adapter (every `baton-*` member except baton-core, baton-server and baton-bench,
//!   computed from the metadata so new adapters are covered; the driving adapter baton-http
//!   and baton-config, the configuration, fall under the same rule) never depends on another
//!   adapter or on baton-server — except that any may read the configuration (baton-config);
//! - (e) the HTTP adapter (baton-http) reaches no database, JWT or password-hashing crate
//!   (the [`HTTP_DENIED`] list), not even through another crate;
//! - (f) the binary (baton-server) is the only crate that depends on every adapter: it is
//!   where they are wired together;
//! - (c) baton-core depends on no other workspace crate;
//! - (d) the example resource server (baton-example-api) depends on no workspace crate: an API
//!   that accepts Baton's tokens needs only HTTP, the JWKS and introspection, and the example
//!   must show that. (It is not an adapter; its tests dev-depend on Baton to run against it.)
//!
//! Only normal and build edges of the `resolve` graph are followed: dev-dependencies are
//! allowed to cross (baton-store's contract tests dev-depend on baton-jwt). The rules are pure
//! functions over the parsed metadata, and the unit tests at the end feed each one a small
//! hand-made graph that breaks it, so a rule that stopped catching anything would show.

use serde_json::{Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::process::Command;

/// Crates baton-core must never reach; a trailing `*` matches any suffix.
const DENIED: &[&str] = &[
    // Web frameworks, HTTP clients and servers, async runtimes.
    "actix actix-* axum axum-* hyper hyper-* warp rocket tower tower-* tokio tokio-* async-std",
    "reqwest",
    // Databases, pools and drivers.
    "diesel diesel_* diesel-* r2d2 r2d2_* sqlx sqlx-* postgres postgres-* rusqlite",
    "libsqlite3-sys pq-sys mysqlclient-sys sea-orm",
    // JWT, password hashing and crypto-token libraries; configuration loading.
    "jsonwebtoken jwt-simple josekit bcrypt argon2 scrypt ring aws-lc-rs figment",
];

/// Crates the HTTP adapter must never reach: it knows the core and the configuration only.
const HTTP_DENIED: &[&str] = &[
    "baton-store baton-jwt baton-password diesel diesel_* diesel-* r2d2 r2d2_* sqlx sqlx-*",
    "postgres postgres-* tokio-postgres libsqlite3-sys pq-sys jsonwebtoken bcrypt",
];

/// The HTTP adapter of rule (e).
const HTTP: &str = "baton-http";

/// The configuration: an adapter that the others may depend on (rule b).
const CONFIG: &str = "baton-config";

/// Workspace members that are not adapters.
const NOT_ADAPTERS: &[&str] = &["baton-core", "baton-server", "baton-bench", EXAMPLE_API];

/// The example resource server of rule (d).
const EXAMPLE_API: &str = "baton-example-api";

/// The pattern of `list` that `name` matches, if any; a trailing `*` matches any suffix.
fn matches(list: &'static [&'static str], name: &str) -> Option<&'static str> {
    list.iter().flat_map(|line| line.split_whitespace()).find(|p| match p.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == *p,
    })
}

/// The deny-list pattern `name` matches, if any.
fn denied(name: &str) -> Option<&'static str> {
    matches(DENIED, name)
}

/// The resolved dependency graph without dev-only edges, keyed by package id.
struct Graph {
    names: BTreeMap<String, String>,
    members: Vec<String>,
    deps: BTreeMap<String, Vec<String>>,
    /// Per package name: the optional dependencies its `testing` feature turns on.
    testing: BTreeMap<String, Vec<String>>,
}

/// The feature whose optional dependencies are test support (`baton_core::testing`).
const TESTING_FEATURE: &str = "testing";

impl Graph {
    fn from_metadata(meta: &Value) -> Graph {
        let text = |v: &Value| v.as_str().expect("a string in cargo metadata").to_owned();
        let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
        let names = list(&meta["packages"]).into_iter().map(|p| (text(&p["id"]), text(&p["name"])));
        let members = list(&meta["workspace_members"]).iter().map(text).collect();
        let non_dev = |d: &Value| list(&d["dep_kinds"]).iter().any(|k| k["kind"] != "dev");
        let deps = list(&meta["resolve"]["nodes"]).into_iter().map(|node| {
            let to = list(&node["deps"]).into_iter().filter(non_dev).map(|d| text(&d["pkg"]));
            (text(&node["id"]), to.collect())
        });
        let testing = list(&meta["packages"]).into_iter().map(|p| {
            let enabled = list(&p["features"][TESTING_FEATURE]);
            let deps = enabled.iter().filter_map(|f| f.as_str()?.strip_prefix("dep:"));
            (text(&p["name"]), deps.map(str::to_owned).collect())
        });
        Graph { names: names.collect(), members, deps: deps.collect(), testing: testing.collect() }
    }

    fn name<'a>(&'a self, id: &'a str) -> &'a str {
        self.names.get(id).map_or(id, String::as_str)
    }

    fn member(&self, name: &str) -> Option<&str> {
        self.members.iter().map(String::as_str).find(|id| self.name(id) == name)
    }

    fn adapters(&self) -> Vec<&str> {
        let is_adapter = |n: &str| n.starts_with("baton-") && !NOT_ADAPTERS.contains(&n);
        self.members.iter().map(String::as_str).filter(|id| is_adapter(self.name(id))).collect()
    }

    /// Every package reachable from `from`, with the shortest chain of names that reaches it.
    fn reachable<'a>(&'a self, from: &'a str) -> Vec<(&'a str, String)> {
        self.reachable_past(from, &[])
    }

    /// Like [`Graph::reachable`], not following `from`'s own edges to the packages named in
    /// `skip` (they may still be reached another way, and then they count).
    fn reachable_past<'a>(&'a self, from: &'a str, skip: &[String]) -> Vec<(&'a str, String)> {
        let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
        let (mut queue, mut found) = (VecDeque::from([from]), Vec::new());
        while let Some(id) = queue.pop_front() {
            for next in self.deps.get(id).into_iter().flatten().map(String::as_str) {
                let skipped = id == from && skip.iter().any(|s| s == self.name(next));
                if next != from && !skipped && !parent.contains_key(next) {
                    parent.insert(next, id);
                    queue.push_back(next);
                    found.push(next);
                }
            }
        }
        let chain = |mut id: &'a str| {
            let mut names = vec![self.name(id)];
            while let Some(&p) = parent.get(id) {
                names.push(self.name(p));
                id = p;
            }
            names.reverse();
            names.join(" -> ")
        };
        found.into_iter().map(|id| (id, chain(id))).collect()
    }
}

/// Rules (a) and (c): what baton-core must not reach.
fn core_violations(g: &Graph) -> Vec<String> {
    let Some(core) = g.member("baton-core") else {
        return vec!["baton-core is not a workspace member".into()];
    };
    let mut found = Vec::new();
    let test_support = g.testing.get("baton-core").cloned().unwrap_or_default();
    for (id, chain) in g.reachable_past(core, &test_support) {
        let name = g.name(id);
        if let Some(pattern) = denied(name) {
            found.push(format!("(a) baton-core reaches `{name}` (denied: `{pattern}`): {chain}"));
        }
        if g.members.iter().any(|m| m == id) {
            found.push(format!("(c) baton-core depends on workspace crate `{name}`: {chain}"));
        }
    }
    found
}

/// Rule (b): no adapter depends on another adapter or on baton-server.
fn adapter_violations(g: &Graph) -> Vec<String> {
    let adapters = g.adapters();
    let mut found = Vec::new();
    for adapter in &adapters {
        for (id, chain) in g.reachable(adapter) {
            let other_adapter = adapters.contains(&id) && g.name(id) != CONFIG;
            if other_adapter || g.name(id) == "baton-server" {
                let (from, to) = (g.name(adapter), g.name(id));
                found.push(format!("(b) adapter `{from}` depends on `{to}`: {chain}"));
            }
        }
    }
    found
}

/// Rule (e): what the HTTP adapter must not reach.
fn http_violations(g: &Graph) -> Vec<String> {
    let Some(http) = g.member(HTTP) else {
        return vec![format!("{HTTP} is not a workspace member")];
    };
    let mut found = Vec::new();
    for (id, chain) in g.reachable(http) {
        if let Some(pattern) = matches(HTTP_DENIED, g.name(id)) {
            found.push(format!(
                "(e) {HTTP} reaches `{}` (denied: `{pattern}`): {chain}",
                g.name(id)
            ));
        }
    }
    found
}

/// Rule (f): only the binary depends on every adapter (and it does).
fn wiring_violations(g: &Graph) -> Vec<String> {
    let adapters = g.adapters();
    let reaches_all = |member: &str| {
        let reached: Vec<&str> = g.reachable(member).into_iter().map(|(id, _)| id).collect();
        adapters.iter().all(|a| *a == member || reached.contains(a))
    };
    let mut found = Vec::new();
    for member in &g.members {
        let name = g.name(member);
        if name != "baton-server" && reaches_all(member) {
            found.push(format!("(f) `{name}` depends on every adapter, as only the binary may"));
        }
    }
    match g.member("baton-server") {
        Some(server) if !reaches_all(server) => {
            found.push("(f) baton-server does not depend on every adapter".to_owned());
        }
        Some(_) => {}
        None => found.push("(f) baton-server is not a workspace member".to_owned()),
    }
    found
}

/// Rule (d): the example API reaches no workspace crate.
fn example_violations(g: &Graph) -> Vec<String> {
    let Some(example) = g.member(EXAMPLE_API) else {
        return vec![format!("{EXAMPLE_API} is not a workspace member")];
    };
    g.reachable(example)
        .into_iter()
        .filter(|(id, _)| g.members.iter().any(|m| m == id))
        .map(|(id, chain)| format!("(d) {EXAMPLE_API} depends on `{}`: {chain}", g.name(id)))
        .collect()
}

fn workspace_metadata() -> Value {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml");
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--all-features", "--locked"])
        .args(["--manifest-path", manifest])
        .output()
        .expect("run cargo metadata");
    assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

#[test]
fn the_workspace_keeps_its_dependency_invariants() {
    let g = Graph::from_metadata(&workspace_metadata());
    let adapters: Vec<_> = g.adapters().into_iter().map(|id| g.name(id)).collect();
    assert!(adapters.contains(&"baton-jwt") && adapters.contains(&"baton-store"), "{adapters:?}");
    // The edges parsed: the server does reach tokio and the core, so a pass is not vacuous.
    let server = g.reachable(g.member("baton-server").expect("baton-server"));
    for needed in ["tokio", "baton-core"] {
        assert!(server.iter().any(|(id, _)| g.name(id) == needed), "server reaches {needed}");
    }
    assert!(adapters.contains(&HTTP) && adapters.contains(&CONFIG), "{adapters:?}");
    let broken = [
        core_violations(&g),
        adapter_violations(&g),
        example_violations(&g),
        http_violations(&g),
        wiring_violations(&g),
    ]
    .concat();
    assert!(broken.is_empty(), "dependency invariants broken:\n{}", broken.join("\n"));
}

// Hand-made graphs: package ids are the names; an edge's kind is None (normal), "dev" or "build".

type Edge = (&'static str, &'static str, Option<&'static str>);

const MEMBERS: &[&str] = &[
    "baton-core",
    "baton-jwt",
    "baton-store",
    HTTP,
    CONFIG,
    "baton-server",
    "baton-bench",
    EXAMPLE_API,
];

const HEALTHY: &[Edge] = &[
    ("baton-core", "uuid", None),
    ("baton-core", "proptest", Some("dev")),
    ("baton-core", "tokio", Some("dev")),
    ("baton-jwt", "baton-core", None),
    ("baton-jwt", "jsonwebtoken", None),
    ("baton-store", "baton-core", None),
    ("baton-store", "diesel", None),
    ("baton-store", "baton-jwt", Some("dev")),
    ("baton-store", "baton-store", Some("dev")),
    (CONFIG, "baton-core", None),
    (HTTP, "baton-core", None),
    (HTTP, CONFIG, None),
    (HTTP, "actix-web", None),
    ("baton-server", "baton-jwt", None),
    ("baton-server", "baton-store", None),
    ("baton-server", HTTP, None),
    ("baton-server", CONFIG, None),
    ("baton-server", "tokio", None),
    ("baton-bench", "baton-store", None),
    (EXAMPLE_API, "jsonwebtoken", None),
    (EXAMPLE_API, "baton-server", Some("dev")),
];

fn graph(extra_members: &[&str], extra_edges: &[Edge]) -> Graph {
    graph_with_testing(extra_members, extra_edges, &[])
}

/// A hand-made graph whose baton-core turns on `testing_deps` with its `testing` feature.
fn graph_with_testing(
    extra_members: &[&str],
    extra_edges: &[Edge],
    testing_deps: &[&str],
) -> Graph {
    let members = [MEMBERS, extra_members].concat();
    let edges = [HEALTHY, extra_edges].concat();
    let mut ids: Vec<&str> = members.iter().copied().chain(edges.iter().map(|e| e.1)).collect();
    ids.sort_unstable();
    ids.dedup();
    let deps = |id: &str| -> Vec<Value> {
        let from = edges.iter().filter(|e| e.0 == id);
        from.map(|e| json!({ "pkg": e.1, "dep_kinds": [{ "kind": e.2, "target": null }] }))
            .collect()
    };
    Graph::from_metadata(&json!({
        "packages": ids.iter().map(|id| {
            let testing: Vec<String> = testing_deps.iter().map(|d| format!("dep:{d}")).collect();
            let features = if *id == "baton-core" { json!({ "testing": testing }) } else { json!({}) };
            json!({ "id": id, "name": id, "features": features })
        }).collect::<Vec<_>>(),
        "workspace_members": members,
        "resolve": { "nodes": ids.iter().map(|id| json!({ "id": id, "deps": deps(id) })).collect::<Vec<_>>() },
    }))
}

fn assert_caught(found: &[String], rule: &str, edge: &str) {
    let hit = found.iter().any(|f| f.starts_with(rule) && f.ends_with(edge));
    assert!(hit, "expected a {rule} violation ending in `{edge}`, got {found:#?}");
}

#[test]
fn a_healthy_graph_passes_and_dev_edges_are_ignored() {
    let g = graph(&[], &[]);
    assert_eq!(core_violations(&g), Vec::<String>::new());
    assert_eq!(adapter_violations(&g), Vec::<String>::new());
    assert_eq!(example_violations(&g), Vec::<String>::new());
    assert_eq!(http_violations(&g), Vec::<String>::new());
    assert_eq!(wiring_violations(&g), Vec::<String>::new());
}

#[test]
fn the_deny_list_matches_names_and_prefixes() {
    assert_eq!(denied("actix-web"), Some("actix-*"));
    assert_eq!(denied("diesel_migrations"), Some("diesel_*"));
    assert_eq!(denied("tokio"), Some("tokio"));
    assert_eq!(denied("jsonwebtoken"), Some("jsonwebtoken"));
    assert_eq!(denied("time"), None);
    assert_eq!(denied("hyperlocal-not"), None);
}

#[test]
fn rule_a_catches_a_direct_framework_dependency_of_the_core() {
    let found = core_violations(&graph(&[], &[("baton-core", "actix-web", None)]));
    assert_caught(&found, "(a)", "baton-core -> actix-web");
}

#[test]
fn rule_a_catches_a_transitive_database_dependency_of_the_core() {
    let edges = [("uuid", "some-helper", None), ("some-helper", "diesel_derives", None)];
    let found = core_violations(&graph(&[], &edges));
    assert_caught(&found, "(a)", "baton-core -> uuid -> some-helper -> diesel_derives");
}

#[test]
fn rule_a_follows_build_dependencies() {
    let found = core_violations(&graph(&[], &[("baton-core", "jsonwebtoken", Some("build"))]));
    assert_caught(&found, "(a)", "baton-core -> jsonwebtoken");
}

#[test]
fn rule_b_catches_an_adapter_depending_on_another_adapter() {
    let found = adapter_violations(&graph(&[], &[("baton-store", "baton-jwt", None)]));
    assert_caught(&found, "(b)", "baton-store -> baton-jwt");
}

#[test]
fn rule_b_catches_an_adapter_depending_on_the_server() {
    let found = adapter_violations(&graph(&[], &[("baton-jwt", "baton-server", None)]));
    assert_caught(&found, "(b)", "baton-jwt -> baton-server");
}

#[test]
fn rule_b_covers_new_adapters() {
    let g = graph(&["baton-password"], &[("baton-password", "baton-store", None)]);
    assert_caught(&adapter_violations(&g), "(b)", "baton-password -> baton-store");
}

#[test]
fn rule_c_catches_the_core_depending_on_a_workspace_crate() {
    let found = core_violations(&graph(&[], &[("baton-core", "baton-jwt", None)]));
    assert_caught(&found, "(c)", "baton-core -> baton-jwt");
}

#[test]
fn rule_d_catches_the_example_api_depending_on_baton() {
    let found = example_violations(&graph(&[], &[(EXAMPLE_API, "baton-jwt", None)]));
    assert_caught(&found, "(d)", "baton-example-api -> baton-jwt");
    let edges = [(EXAMPLE_API, "some-helper", None), ("some-helper", "baton-core", None)];
    assert_caught(&example_violations(&graph(&[], &edges)), "(d)", "some-helper -> baton-core");
}

#[test]
fn rule_b_lets_every_adapter_read_the_configuration_only() {
    assert_eq!(
        adapter_violations(&graph(&[], &[("baton-jwt", CONFIG, None)])),
        Vec::<String>::new()
    );
    let found = adapter_violations(&graph(&[], &[(CONFIG, "baton-store", None)]));
    assert_caught(&found, "(b)", "baton-config -> baton-store");
}

#[test]
fn rule_e_catches_the_http_adapter_reaching_a_database_or_jwt_crate() {
    let found = http_violations(&graph(&[], &[(HTTP, "baton-jwt", None)]));
    assert_caught(&found, "(e)", "baton-http -> baton-jwt");
    let edges = [(HTTP, "some-helper", None), ("some-helper", "diesel", None)];
    assert_caught(&http_violations(&graph(&[], &edges)), "(e)", "some-helper -> diesel");
}

#[test]
fn rule_f_catches_another_crate_wiring_every_adapter() {
    let edges = [("baton-bench", "baton-jwt", None), ("baton-bench", HTTP, None)];
    let found = wiring_violations(&graph(&[], &edges));
    assert!(found.iter().any(|f| f.starts_with("(f) `baton-bench`")), "{found:?}");
    let g = graph(&[], &[]);
    assert_eq!(wiring_violations(&g), Vec::<String>::new(), "the binary reaches them all");
}

#[test]
fn rule_a_lets_the_testing_feature_reach_tokio_but_nothing_else_may() {
    let direct = [("baton-core", "tokio", None)];
    assert_eq!(
        core_violations(&graph_with_testing(&[], &direct, &["tokio"])),
        Vec::<String>::new()
    );
    assert_caught(&core_violations(&graph(&[], &direct)), "(a)", "baton-core -> tokio");
    let around = [("baton-core", "tokio", None), ("uuid", "tokio", None)];
    let found = core_violations(&graph_with_testing(&[], &around, &["tokio"]));
    assert_caught(&found, "(a)", "baton-core -> uuid -> tokio");
}
