//! Unit tests of `framework::server`: dispatch, import, state upgrade and write-only values.

use super::*;
use crate::framework::resource::Failure;
use crate::framework::schema::Attribute;
use crate::framework::testing::{TestProvider, TestResource};
use crate::framework::timeouts::Timeouts;
use crate::framework::typed::Typed;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// An in-memory "cloud" of named things.
#[derive(Default)]
struct Cloud(Mutex<BTreeMap<String, String>>);

#[derive(Default, Serialize, Deserialize)]
struct Thing {
    id: Option<String>,
    name: Option<String>,
}

/// Things in the cloud, by id. A thing named "panic" panics on create; one
/// named "fail-after-create" is made, then its create fails.
fn things() -> TestResource<Cloud, Thing> {
    TestResource {
        type_name: "test_thing",
        schema: || {
            Schema::new("t")
                .version(1)
                .attribute(Attribute::id("i"))
                .attribute(Attribute::string("name").required().description("n"))
                .timeouts(Timeouts::all(crate::framework::timeouts::mins(1)))
        },
        create: |ctx, plan| {
            let name = plan.name.clone().unwrap_or_default();
            if name == "panic" {
                panic!("boom");
            }
            if name == "fail-after-create" {
                ctx.data.0.lock().unwrap().insert("x1".into(), name.clone());
                return Err(Failure::partial(
                    Thing {
                        id: Some("x1".into()),
                        name: Some(name),
                    },
                    Diagnostics::error("waiting", "timed out"),
                ));
            }
            let id = format!("x{}", ctx.data.0.lock().unwrap().len() + 1);
            ctx.data.0.lock().unwrap().insert(id.clone(), name.clone());
            Ok(Thing {
                id: Some(id),
                name: Some(name),
            })
        },
        read: |ctx, s| {
            let id = s.id.unwrap_or_default();
            Ok(ctx.data.0.lock().unwrap().get(&id).map(|n| Thing {
                id: Some(id.clone()),
                name: Some(n.clone()),
            }))
        },
        update: |ctx, _, plan| {
            let id = plan.id.clone().unwrap_or_default();
            let name = plan.name.clone().unwrap_or_default();
            ctx.data.0.lock().unwrap().insert(id, name);
            Ok(plan)
        },
        delete: |ctx, s| {
            ctx.data.0.lock().unwrap().remove(&s.id.unwrap_or_default());
            Ok(())
        },
        import: |id| {
            Ok(Thing {
                id: Some(id.to_string()),
                name: None,
            })
        },
        upgrade: Some(|version, mut s| {
            // Version 0 called the attribute "label".
            assert_eq!(version, 0);
            if let Some(o) = s.as_object_mut() {
                let label = o.remove("label").unwrap_or_default();
                o.insert("name".into(), label);
            }
            Ok(s)
        }),
    }
}

#[derive(Default, Serialize, Deserialize)]
struct Vault {
    id: Option<String>,
    key_wo: Option<String>,
    key_version: Option<i64>,
}

/// Keeps a key it is given write-only; the cloud records what it got.
fn vaults() -> TestResource<Cloud, Vault> {
    TestResource {
        type_name: "test_vault",
        schema: || {
            Schema::new("v")
                .attribute(Attribute::id("i"))
                .attribute(
                    Attribute::string("key_wo")
                        .optional()
                        .sensitive()
                        .write_only()
                        .description("k"),
                )
                .attribute(Attribute::int("key_version").optional().description("kv"))
        },
        create: |ctx, plan| {
            let key = plan.key_wo.clone().unwrap_or_default();
            ctx.data.0.lock().unwrap().insert("v1".into(), key);
            // Hands the key back: the framework must drop it.
            Ok(Vault {
                id: Some("v1".into()),
                ..plan
            })
        },
        read: |ctx, s| {
            let key = ctx.data.0.lock().unwrap().get("v1").cloned();
            Ok(Some(Vault { key_wo: key, ..s }))
        },
        update: |ctx, _, plan| {
            if let Some(k) = &plan.key_wo {
                ctx.data.0.lock().unwrap().insert("v1".into(), k.clone());
            }
            Ok(plan)
        },
        delete: |ctx, _| {
            ctx.data.0.lock().unwrap().remove("v1");
            Ok(())
        },
        import: |id| {
            Ok(Vault {
                id: Some(id.to_string()),
                key_wo: Some("imported".into()),
                key_version: None,
            })
        },
        upgrade: None,
    }
}

fn provider() -> TestProvider<Cloud> {
    TestProvider {
        resources: || {
            vec![
                Box::new(Typed::new(things())),
                Box::new(Typed::new(vaults())),
            ]
        },
        ..TestProvider::default()
    }
}

fn vault(id: Value, key: Value, version: i64) -> Value {
    Value::Object(
        [
            ("id".to_string(), id),
            ("key_wo".to_string(), key),
            ("key_version".to_string(), Value::int(version)),
        ]
        .into(),
    )
}

const WRITE_ONLY_OK: ClientCapabilities = ClientCapabilities {
    deferral_allowed: false,
    write_only_attributes_allowed: true,
};

#[test]
fn a_write_only_argument_needs_a_terraform_that_allows_it() {
    let s = server();
    let c = vault(Value::Null, Value::string("k1"), 1);
    let d = s.validate_resource_config("test_vault", &c, &ClientCapabilities::default());
    assert_eq!(d.0.len(), 1, "{d}");
    assert_eq!(d.0[0].path.as_ref().unwrap().to_string(), "key_wo");
    assert!(d.0[0].detail.contains("Terraform 1.11 or later"), "{d}");
    assert!(!d.0[0].detail.contains("k1"), "{d}");
    // Unknown will be set: refused as well. Unset is fine everywhere.
    let unknown = vault(Value::Null, Value::Unknown, 1);
    assert!(s
        .validate_resource_config("test_vault", &unknown, &ClientCapabilities::default())
        .has_errors());
    let unset = vault(Value::Null, Value::Null, 1);
    assert!(s
        .validate_resource_config("test_vault", &unset, &ClientCapabilities::default())
        .is_empty());
    assert!(s
        .validate_resource_config("test_vault", &c, &WRITE_ONLY_OK)
        .is_empty());
}

#[tokio::test]
async fn write_only_values_reach_the_resource_from_the_config_and_never_come_back() {
    let s = server();
    let config = vault(Value::Null, Value::string("k1"), 1);
    // Terraform's proposal carries the configured value; the plan drops it.
    let planned = s
        .plan_resource_change("test_vault", &Value::Null, &config, &config)
        .0
        .state;
    assert!(planned.get("key_wo").is_null() && planned.get("id").is_unknown());
    let (created, d) = s
        .apply_resource_change("test_vault", &Value::Null, &planned, &config)
        .await;
    assert!(d.is_empty(), "{d}");
    assert_eq!(created, vault(Value::string("v1"), Value::Null, 1));
    let data = s.data.read().unwrap().clone().unwrap();
    assert_eq!(data.0.lock().unwrap()["v1"], "k1");

    // Read, import and re-plan keep it null; an unchanged config is a no-op.
    let (read, _) = s.read_resource("test_vault", &created).await;
    assert!(read.get("key_wo").is_null());
    let (imported, _) = s.import_resource_state("test_vault", "v1").await;
    assert!(imported.get("key_wo").is_null());
    let mut proposed = created.clone();
    *proposed.get_mut("key_wo").unwrap() = Value::string("k1");
    let p = s
        .plan_resource_change("test_vault", &created, &proposed, &config)
        .0;
    assert_eq!(p.state, created);

    // Bumping the version is an update that sends the new key.
    let config2 = vault(Value::Null, Value::string("k2"), 2);
    let mut proposed = created.clone();
    *proposed.get_mut("key_wo").unwrap() = Value::string("k2");
    *proposed.get_mut("key_version").unwrap() = Value::int(2);
    let p = s
        .plan_resource_change("test_vault", &created, &proposed, &config2)
        .0;
    assert!(p.state.get("key_wo").is_null());
    let (updated, d) = s
        .apply_resource_change("test_vault", &created, &p.state, &config2)
        .await;
    assert!(d.is_empty(), "{d}");
    assert!(updated.get("key_wo").is_null());
    assert_eq!(data.0.lock().unwrap()["v1"], "k2");

    // Destroy: planned null (plan_destroy), applied with a null config.
    let p = s
        .plan_resource_change("test_vault", &updated, &Value::Null, &Value::Null)
        .0;
    assert!(p.state.is_null() && p.requires_replace.is_empty());
    let (gone, d) = s
        .apply_resource_change("test_vault", &updated, &Value::Null, &Value::Null)
        .await;
    assert!(gone.is_null() && d.is_empty());
}

fn server() -> ProviderServer<TestProvider<Cloud>> {
    provider().configured("1.0.3")
}

fn config(name: &str) -> Value {
    Value::Object(
        [
            ("id".to_string(), Value::Null),
            ("name".to_string(), Value::string(name)),
            ("timeouts".to_string(), Value::Null),
        ]
        .into(),
    )
}

/// A thing's configuration with a `timeouts` block setting only `create`.
fn config_with_create_timeout(name: &str, create: &str) -> Value {
    let mut c = config(name);
    *c.get_mut("timeouts").unwrap() = Value::Object(
        [
            ("create".to_string(), Value::string(create)),
            ("read".to_string(), Value::Null),
            ("update".to_string(), Value::Null),
            ("delete".to_string(), Value::Null),
        ]
        .into(),
    );
    c
}

/// The planned state of a new thing configured by `c`.
fn plan_create(s: &ProviderServer<TestProvider<Cloud>>, c: &Value) -> Value {
    s.plan_resource_change("test_thing", &Value::Null, c, c)
        .0
        .state
}

/// Plans and applies the create of a thing configured by `c`.
async fn create(s: &ProviderServer<TestProvider<Cloud>>, c: &Value) -> (Value, Diagnostics) {
    let planned = plan_create(s, c);
    s.apply_resource_change("test_thing", &Value::Null, &planned, c)
        .await
}

#[tokio::test]
async fn create_update_read_delete_dispatch_on_null_states() {
    let s = server();
    let planned = plan_create(&s, &config("a"));
    assert!(planned.get("id").is_unknown());
    let (created, d) = s
        .apply_resource_change("test_thing", &Value::Null, &planned, &config("a"))
        .await;
    assert!(d.is_empty(), "{d}");
    assert_eq!(created.get("id"), &Value::string("x1"));
    assert!(created.get("timeouts").is_null());

    let mut proposed = created.clone();
    *proposed.get_mut("name").unwrap() = Value::string("b");
    let p = s
        .plan_resource_change("test_thing", &created, &proposed, &config("b"))
        .0;
    assert_eq!(p.state.get("id"), &Value::string("x1"));
    let (updated, _) = s
        .apply_resource_change("test_thing", &created, &p.state, &config("b"))
        .await;
    assert_eq!(
        s.read_resource("test_thing", &updated).await.0.get("name"),
        &Value::string("b")
    );

    let (gone, d) = s
        .apply_resource_change("test_thing", &updated, &Value::Null, &Value::Null)
        .await;
    assert!(gone.is_null() && d.is_empty());
    // Deleted behind Terraform's back: read says gone.
    assert!(s.read_resource("test_thing", &updated).await.0.is_null());
}

#[tokio::test]
async fn failed_create_keeps_what_exists_in_state() {
    let s = server();
    let (state, d) = create(&s, &config("fail-after-create")).await;
    assert!(d.has_errors());
    assert_eq!(state.get("id"), &Value::string("x1"));
}

#[tokio::test]
async fn a_panicking_operation_becomes_an_error_diagnostic() {
    let s = server();
    let (state, d) = create(&s, &config("panic")).await;
    assert!(state.is_null());
    assert!(
        d.0[0].summary.contains("panicked") && d.0[0].detail.contains("boom"),
        "{d}"
    );
}

/// Issue 12 case 3: a `timeouts` value that passed the old validation
/// crashed the plugin at apply ("overflow when adding duration to instant").
#[tokio::test]
async fn an_enormous_timeout_in_the_plan_cannot_panic_the_apply() {
    let s = server();
    let c = config_with_create_timeout("a", "9999999999999999999s");
    let d = s.validate_resource_config("test_thing", &c, &ClientCapabilities::default());
    assert_eq!(d.0.len(), 1, "{d}");
    assert_eq!(d.0[0].path.as_ref().unwrap().to_string(), "timeouts.create");
    // Were it to get past validation anyway, apply saturates instead of panicking.
    let (created, d) = create(&s, &c).await;
    assert!(d.is_empty(), "{d}");
    assert_eq!(created.get("id"), &Value::string("x1"));
}

#[tokio::test]
async fn import_then_read_fills_the_state() {
    let s = server();
    create(&s, &config("a")).await;
    let (imported, d) = s.import_resource_state("test_thing", "x1").await;
    assert!(d.is_empty());
    assert!(imported.get("name").is_null());
    assert_eq!(
        s.read_resource("test_thing", &imported).await.0.get("name"),
        &Value::string("a")
    );
}

#[test]
fn state_upgrades_by_schema_version() {
    let s = server();
    let (v, d) = s.upgrade_resource_state("test_thing", 0, br#"{"id":"x1","label":"old"}"#);
    assert!(d.is_empty(), "{d}");
    assert_eq!(v.get("name"), &Value::string("old"));
    let (v, d) = s.upgrade_resource_state(
        "test_thing",
        1,
        b"{\n  \"id\": \"x1\",\n  \"name\": \"n\"\n}",
    );
    assert!(d.is_empty());
    assert_eq!(v.get("name"), &Value::string("n"));
    assert!(v.get("timeouts").is_null());
    assert!(s
        .upgrade_resource_state("test_thing", 2, b"{}")
        .1
        .has_errors());
    assert!(s.upgrade_resource_state("nope", 1, b"{}").1.has_errors());
}

#[test]
fn validation_reports_paths_and_unknown_types() {
    let s = server();
    let c = config_with_create_timeout("a", "ten minutes");
    let d = s.validate_resource_config("test_thing", &c, &ClientCapabilities::default());
    assert_eq!(d.0[0].path.as_ref().unwrap().to_string(), "timeouts.create");
    assert!(s
        .validate_resource_config("nope", &c, &ClientCapabilities::default())
        .has_errors());
}
