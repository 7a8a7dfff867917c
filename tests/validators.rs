//! Rules checked on the provider's real schemas, without Terraform: the
//! Alibaba PSK character set both ways (issue 12 case 10).

use hybridnet::framework::{AttrPath, Block, Diagnostics, Value};
use hybridnet::resources::alicloud::ipsec_connection_cen::{self, PSK_SPECIALS};

/// Alibaba's list, as its guide to CEN-bound IPsec connections gives it.
const ALIBABA_SPECIALS: &str = "~`!@#$%^&*()_-+={}[]\\|;:',.<>/?";

fn tunnel_block() -> Block {
    ipsec_connection_cen::schema()
        .block
        .blocks
        .into_iter()
        .find(|b| b.name == "tunnel")
        .expect("tunnel block")
        .block
}

/// Errors of a tunnel block holding only `psk` (its required
/// `customer_gateway_id` set).
fn psk_errors(psk: &str) -> Vec<String> {
    let block = tunnel_block();
    let mut m: std::collections::BTreeMap<String, Value> = block
        .attributes
        .iter()
        .map(|a| (a.name.clone(), Value::Null))
        .collect();
    m.insert("customer_gateway_id".into(), Value::string("cgw-1"));
    m.insert("psk".into(), Value::string(psk));
    let mut d = Diagnostics::new();
    block.validate(
        &Value::Object(m),
        &AttrPath::attr("tunnel").index(0),
        &mut d,
    );
    d.iter().map(|d| d.detail.clone()).collect()
}

#[test]
fn the_psk_specials_are_alibaba_s() {
    assert_eq!(PSK_SPECIALS, ALIBABA_SPECIALS);
    assert_eq!(ALIBABA_SPECIALS.chars().count(), 31);
}

#[test]
fn every_alibaba_special_is_accepted_one_by_one() {
    for c in ALIBABA_SPECIALS.chars() {
        let psk = format!("k{c}1");
        assert!(psk_errors(&psk).is_empty(), "{c:?}: {:?}", psk_errors(&psk));
    }
    assert!(psk_errors("it's-a-key").is_empty());
    assert!(psk_errors(&"p".repeat(100)).is_empty());
}

#[test]
fn a_double_quote_and_every_other_character_are_refused() {
    for c in (0u8..=127).map(char::from) {
        if c.is_ascii_alphanumeric() || ALIBABA_SPECIALS.contains(c) {
            continue;
        }
        let errors = psk_errors(&format!("k{c}1"));
        assert_eq!(errors.len(), 1, "{c:?} accepted");
        // The rule is named; the key is not shown.
        assert!(
            errors[0].starts_with("tunnel[0].psk must be 1 to 100 letters"),
            "{errors:?}"
        );
        assert!(!errors[0].contains(&format!("k{c}1")), "{errors:?}");
    }
    assert_eq!(psk_errors("say\"hi\"").len(), 1);
    assert_eq!(psk_errors("ключ").len(), 1);
    assert_eq!(psk_errors(&"p".repeat(101)).len(), 1);
    assert_eq!(psk_errors("").len(), 1);
}

#[test]
fn the_docs_list_the_same_specials() {
    let docs = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs/resources/alicloud_ipsec_connection_cen.md"),
    )
    .unwrap();
    let psk = docs
        .lines()
        .find(|l| l.starts_with("- `psk`"))
        .expect("psk line");
    assert!(psk.contains(&format!("``{ALIBABA_SPECIALS}``")), "{psk}");
    assert!(!psk.contains(";:\","), "{psk}");
}
