//! The domain parsers: the wordings real files use parse to the right value, what they print
//! parses back to itself, and no input, however odd, makes them panic.

use hrtrack_domain::{
    Cycle, Mechanism, Paragraph, Position, RegionalGroup, SdgGoal, SdgIndicator, SdgTarget, Session,
};
use proptest::prelude::*;

#[test]
fn positions_in_the_wordings_of_ohchr_upr_info_and_older_matrices() {
    let cases = [
        ("Supported", Position::Supported),
        ("Accepted", Position::Supported),
        (" supported. ", Position::Supported),
        ("Noted", Position::Noted),
        ("Rejected", Position::Noted),
        ("Supported/Noted", Position::SupportedInPart),
        ("Supported / Noted", Position::SupportedInPart),
        ("Supported in part", Position::SupportedInPart),
        ("Pending", Position::Pending),
        ("Принята к сведению", Position::Noted),
    ];
    for (text, want) in cases {
        assert_eq!(Position::parse(text), Ok(want), "{text:?}");
    }
    assert!(Position::parse("Maybe").is_err());
    for position in Position::ALL {
        assert_eq!(Position::parse(position.code()), Ok(position));
        assert_eq!(Position::parse(position.label()), Ok(position));
    }
}

#[test]
fn cycles_and_sessions_as_page_headers_write_them() {
    assert_eq!(Cycle::parse("4th Cycle").map(Cycle::get), Ok(4));
    assert_eq!(Cycle::parse("Second").map(Cycle::get), Ok(2));
    assert_eq!(Cycle::parse("2nd cycle").map(Cycle::get), Ok(2));
    assert!(Cycle::parse("0").is_err());
    assert!(Cycle::parse("4x").is_err());
    assert_eq!(Session::parse("48th Session").map(Session::get), Ok(48));
    assert_eq!(Session::parse("17th session").map(Session::get), Ok(17));
    assert!(Session::parse("session").is_err());
}

#[test]
fn sdg_codes() {
    assert_eq!(
        SdgGoal::parse("16 - PEACE, JUSTICE AND STRONG INSTITUTIONS").map(SdgGoal::get),
        Ok(16)
    );
    assert_eq!(SdgGoal::parse("SDG 5").map(SdgGoal::get), Ok(5));
    assert!(SdgGoal::parse("18").is_err());
    assert!(SdgGoal::parse("16x").is_err());
    assert_eq!(
        SdgTarget::parse("5.a").map(|t| t.to_string()),
        Ok("5.a".to_owned())
    );
    assert_eq!(SdgTarget::parse("16.3").map(|t| t.goal().get()), Ok(16));
    for bad in ["16", "16.", "16.0", "5.aa", "18.1", ".3", "16.3.1"] {
        assert!(SdgTarget::parse(bad).is_err(), "{bad:?}");
    }
    assert_eq!(
        SdgIndicator::parse("1.a.2").map(|i| i.target().to_string()),
        Ok("1.a".to_owned())
    );
    assert!(SdgIndicator::parse("5.5").is_err());
}

#[test]
fn paragraphs_mechanisms_and_groups() {
    assert_eq!(
        Paragraph::parse("186.28.").map(|p| p.to_string()),
        Ok("186.28".to_owned())
    );
    assert_eq!(
        Paragraph::parse(" 140.7 ").map(|p| p.to_string()),
        Ok("140.7".to_owned())
    );
    assert!(Paragraph::parse("Theme: A12").is_err());
    assert!(Paragraph::parse("").is_err());
    assert_eq!(Mechanism::parse("cedaw"), Ok(Mechanism::Cedaw));
    assert_eq!(Mechanism::parse("HRC"), Ok(Mechanism::Ccpr));
    assert!(Mechanism::parse("UNICEF").is_err());
    for mechanism in Mechanism::ALL {
        assert_eq!(Mechanism::parse(mechanism.code()), Ok(mechanism));
    }
    assert_eq!(
        RegionalGroup::parse("EEG"),
        Ok(RegionalGroup::EasternEuropean)
    );
    assert_eq!(RegionalGroup::parse("Asia"), Ok(RegionalGroup::AsiaPacific));
    assert_eq!(RegionalGroup::parse("Africa"), Ok(RegionalGroup::African));
    for group in RegionalGroup::ALL {
        assert_eq!(RegionalGroup::parse(group.name()), Ok(group));
    }
    assert!(RegionalGroup::parse("Observer").is_err());
}

proptest! {
    #[test]
    fn no_parser_panics(text in "\\PC{0,40}") {
        let _ = Position::parse(&text);
        let _ = Cycle::parse(&text);
        let _ = Session::parse(&text);
        let _ = Mechanism::parse(&text);
        let _ = RegionalGroup::parse(&text);
        let _ = Paragraph::parse(&text);
        let _ = SdgGoal::parse(&text);
        let _ = SdgTarget::parse(&text);
        let _ = SdgIndicator::parse(&text);
    }

    #[test]
    fn sdg_codes_print_as_they_parse(goal in 1u8..=17, number in 1u8..=20, letter in "[a-g]", indicator in 1u8..=9) {
        for target in [format!("{goal}.{number}"), format!("{goal}.{letter}")] {
            let parsed = SdgTarget::parse(&target).expect("a valid target");
            prop_assert_eq!(parsed.to_string(), target.clone());
            prop_assert_eq!(parsed.goal().get(), goal);
            let code = format!("{target}.{indicator}");
            prop_assert_eq!(SdgIndicator::parse(&code).expect("a valid indicator").to_string(), code);
        }
    }

    #[test]
    fn numbered_cycles_and_sessions_round_trip(cycle in 1u8..=20, session in 1u16..=999) {
        prop_assert_eq!(Cycle::parse(&cycle.to_string()).map(Cycle::get), Ok(cycle));
        prop_assert_eq!(Session::parse(&format!("{session}th session")).map(Session::get), Ok(session));
    }
}
