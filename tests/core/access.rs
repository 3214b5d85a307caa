//! Who is at the desk: the first start, signing in, the key ring, managing operators, the session's
//! PIN and idle lock, and the register encrypted at rest (also when converted from a plain one).

use chrono::Duration;
use mixite_core::error::{AccessCode, Error};
use mixite_core::register::access::readiness;
use mixite_core::register::keys::{Kdf, KeyRing, KEYS_FILE};
use mixite_core::register::operators::Role;
use mixite_core::register::session::Session;
use mixite_core::register::store::DB_FILE;
use mixite_core::{Clock, Register};

use crate::{clock, create, files, holds, problems, worker};

const FIRST: &str = "una parola lunga 1";
const SECOND: &str = "un'altra parola 2";

fn set_up(dir: &std::path::Path) -> (Register, mixite_core::register::operators::Actor, String) {
    let (register, actor, recovery) =
        Register::set_up(dir, "Anna Responsabile", FIRST, Kdf::OWASP, &clock()).unwrap();
    (register, actor, recovery.text().to_string())
}

fn access_code<T>(result: mixite_core::Result<T>) -> AccessCode {
    match result {
        Err(Error::Access(code)) => code,
        Err(other) => panic!("expected an access error, got {other:?}"),
        Ok(_) => panic!("expected an access error, got success"),
    }
}

#[test]
fn the_first_start_creates_the_first_responsabile_and_only_once() {
    let dir = tempfile::tempdir().unwrap();
    let before = readiness(dir.path()).unwrap();
    assert!(before.needs_setup && !before.plain_register && !before.keys_missing);
    let short = Register::set_up(dir.path(), "Anna", "corta", Kdf::OWASP, &clock());
    assert_eq!(
        problems(short.err().unwrap()),
        ["passphrase:passphrase_short"],
        "a passphrase needs at least 10 characters"
    );
    let (register, actor, recovery) = set_up(dir.path());
    assert_eq!(actor.role, Role::Responsabile);
    assert_eq!(recovery.len(), 39, "8 groups of 4 with dashes: {recovery}");
    drop(register);
    let after = readiness(dir.path()).unwrap();
    assert!(!after.needs_setup);
    assert_eq!(after.operators.len(), 1);
    assert_eq!(after.operators[0].name, "Anna Responsabile");
    let again = Register::set_up(dir.path(), "Altro", FIRST, Kdf::OWASP, &clock());
    assert_eq!(access_code(again), AccessCode::AlreadySetUp);
    let ring = std::fs::read(dir.path().join(KEYS_FILE)).unwrap();
    assert!(
        !holds(&ring, FIRST) && !holds(&ring, &recovery.replace('-', "")),
        "the key file holds no passphrase and no recovery key"
    );
}

#[test]
fn sign_in_refuses_unknown_names_and_wrong_passphrases_alike_with_growing_delays() {
    let dir = tempfile::tempdir().unwrap();
    let (_, actor, _) = set_up(dir.path());
    let unknown = Register::sign_in(dir.path(), "nessuno", FIRST, &clock())
        .err()
        .unwrap();
    let wrong = Register::sign_in(dir.path(), &actor.id, "sbagliata!!", &clock())
        .err()
        .unwrap();
    assert_eq!(
        (unknown.to_string(), wrong.kind()),
        (Error::Access(AccessCode::Refused).to_string(), "access"),
        "an unknown name and a wrong passphrase get the same answer"
    );
    assert!(matches!(wrong, Error::Access(AccessCode::Refused)));
    // The second failure still answers; the third waits, then longer.
    let t0 = clock();
    assert!(matches!(
        Register::sign_in(dir.path(), &actor.id, "sbagliata!!", &t0),
        Err(Error::Access(AccessCode::Refused))
    ));
    let waiting = Register::sign_in(dir.path(), &actor.id, FIRST, &t0)
        .err()
        .unwrap();
    assert!(
        matches!(waiting, Error::Wait { seconds } if seconds >= 1),
        "after two failures even the right passphrase waits: {waiting:?}"
    );
    let later = Clock {
        now: t0.now + Duration::seconds(5),
        ..t0
    };
    let (_, signed) = Register::sign_in(dir.path(), &actor.id, FIRST, &later).unwrap();
    assert_eq!(
        signed, actor,
        "once the delay is over the right passphrase opens"
    );
    assert!(
        Register::sign_in(dir.path(), &actor.id, FIRST, &later).is_ok(),
        "a sign-in clears the failures"
    );
}

#[test]
fn only_a_responsabile_manages_operators_and_nobody_is_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let (mut register, boss, _) = set_up(dir.path());
    let at = clock();
    let mario = register
        .add_operator(&boss, "Mario Operatore", Role::Operatore, SECOND, &at)
        .unwrap();
    let clash = register.add_operator(&boss, "mario  OPERATORE", Role::Operatore, SECOND, &at);
    assert_eq!(problems(clash.err().unwrap()), ["operator:duplicate"]);
    let bad_name = register.add_operator(&boss, "Op\u{202E}", Role::Operatore, SECOND, &at);
    assert_eq!(
        problems(bad_name.err().unwrap()),
        ["operator:forbidden_character"]
    );
    let mario_actor = mario.actor();
    assert_eq!(
        access_code(register.add_operator(&mario_actor, "Terzo", Role::Operatore, SECOND, &at)),
        AccessCode::NotAllowed
    );
    assert_eq!(
        access_code(register.disable_operator(&boss, &boss.id, &at)),
        AccessCode::SelfDisable
    );
    assert_eq!(
        access_code(register.set_role(&boss, &boss.id, Role::Operatore, &at)),
        AccessCode::LastResponsabile,
        "the last responsabile keeps the role"
    );
    drop(register);
    let (mut register, signed) = Register::sign_in(dir.path(), &mario.id, SECOND, &at).unwrap();
    assert_eq!(signed.role, Role::Operatore);
    register.disable_operator(&boss, &mario.id, &at).unwrap();
    drop(register);
    assert!(matches!(
        Register::sign_in(dir.path(), &mario.id, SECOND, &at),
        Err(Error::Access(AccessCode::Refused))
    ));
    let (mut register, _) = Register::sign_in(dir.path(), &boss.id, FIRST, &at).unwrap();
    let listed = register.operators(&boss).unwrap();
    assert_eq!(listed.len(), 2, "a disabled operator is still listed");
    assert!(!listed.iter().find(|o| o.id == mario.id).unwrap().active);
    register
        .enable_operator(&boss, &mario.id, "nuova parola 3", &at)
        .unwrap();
    drop(register);
    assert!(Register::sign_in(dir.path(), &mario.id, "nuova parola 3", &at).is_ok());
}

#[test]
fn a_passphrase_change_rewraps_one_slot_and_the_recovery_key_resets_a_forgotten_one() {
    let dir = tempfile::tempdir().unwrap();
    let (mut register, boss, recovery) = set_up(dir.path());
    let at = clock();
    let wrong_current =
        register.change_passphrase(&boss, &boss.id, Some("non è questa"), SECOND, &at);
    assert!(matches!(
        wrong_current,
        Err(Error::Access(AccessCode::Refused))
    ));
    register
        .change_passphrase(&boss, &boss.id, Some(FIRST), SECOND, &at)
        .unwrap();
    drop(register);
    assert!(Register::sign_in(dir.path(), &boss.id, FIRST, &at).is_err());
    let (register, _) = Register::sign_in(dir.path(), &boss.id, SECOND, &at).unwrap();
    drop(register);
    assert!(matches!(
        Register::recover(
            dir.path(),
            "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH",
            &boss.id,
            "dimenticata 4",
            &at
        ),
        Err(Error::Access(AccessCode::Refused))
    ));
    let later = Clock {
        now: at.now + Duration::minutes(1),
        ..at
    };
    let typed = recovery.to_lowercase().replace('-', " ");
    let (mut register, actor) =
        Register::recover(dir.path(), &typed, &boss.id, "dimenticata 4", &later).unwrap();
    assert_eq!(actor.id, boss.id);
    let fresh = register.reissue_recovery(&actor, &later).unwrap();
    drop(register);
    assert!(
        Register::recover(dir.path(), &recovery, &boss.id, "ancora un'altra", &later).is_err(),
        "a reissued recovery key retires the old sheet"
    );
    let latest = Clock {
        now: later.now + Duration::minutes(10),
        ..later
    };
    assert!(Register::recover(
        dir.path(),
        fresh.text(),
        &boss.id,
        "ancora un'altra",
        &latest
    )
    .is_ok());
}

#[test]
fn no_applicant_data_can_be_found_in_any_file_of_the_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (mut register, boss, _) = set_up(dir.path());
    let case = register
        .create(
            &mixite_core::NewCase {
                data: worker(),
                ..Default::default()
            },
            &clock(),
            &boss,
        )
        .unwrap();
    let applicant = &case.data.applicant;
    let secrets = [
        applicant.surname.clone(),
        applicant.document.number.clone(),
        applicant.codice_fiscale.clone(),
    ];
    // While the register is open (WAL and SHM beside it) and after it is closed.
    for moment in ["open", "closed"] {
        for (path, bytes) in files(dir.path()) {
            for secret in &secrets {
                assert!(
                    !holds(&bytes, secret),
                    "{moment}: {} holds an applicant's data",
                    path.display()
                );
            }
        }
        if moment == "open" {
            assert!(dir.path().join(format!("{DB_FILE}-wal")).exists());
            drop(std::mem::replace(
                &mut register,
                Register::in_memory().unwrap(),
            ));
        }
    }
}

#[test]
fn a_plain_register_of_the_previous_version_is_converted_at_the_first_start() {
    let dir = tempfile::tempdir().unwrap();
    let surname;
    {
        let mut plain = Register::open_plain(dir.path()).unwrap();
        let case = create(&mut plain, worker());
        surname = case.data.applicant.surname.clone();
        create(&mut plain, worker());
    }
    let db = dir.path().join(DB_FILE);
    assert!(
        holds(&std::fs::read(&db).unwrap(), &surname),
        "the old file is plain"
    );
    let state = readiness(dir.path()).unwrap();
    assert!(state.needs_setup && state.plain_register);
    let (register, _, _) = set_up(dir.path());
    assert_eq!(register.case_count().unwrap(), 2, "every case came across");
    assert_eq!(
        register.search(&surname, 0, 10).unwrap().items.len(),
        2,
        "the search index came across"
    );
    drop(register);
    for (path, bytes) in files(dir.path()) {
        assert!(
            !holds(&bytes, &surname),
            "{} still holds plain data",
            path.display()
        );
    }
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.contains(".plain") || n.contains(".encrypting")),
        "the conversion leaves no copy behind: {names:?}"
    );
    assert!(!readiness(dir.path()).unwrap().plain_register);
}

#[test]
fn a_session_locks_when_idle_unlocks_with_its_pin_and_needs_the_passphrase_after_five_wrong_ones() {
    let boss = mixite_core::register::operators::Actor::unchecked("id", "Anna", Role::Responsabile);
    let t0 = clock().now;
    assert_eq!(
        problems(Session::new(boss.clone(), "12a4", t0, 5).err().unwrap()),
        ["pin:pin_format"]
    );
    let mut session = Session::new(boss, "2468", t0, 5).unwrap();
    assert!(session.actor(t0 + Duration::minutes(4)).is_ok());
    assert_eq!(
        access_code(session.actor(t0 + Duration::minutes(10)).cloned()),
        AccessCode::SessionLocked,
        "five idle minutes lock the session"
    );
    let now = t0 + Duration::minutes(11);
    session.unlock_pin("2468", now).unwrap();
    assert!(session.actor(now).is_ok());
    session.lock();
    for _ in 0..4 {
        assert_eq!(
            access_code(session.unlock_pin("0000", now)),
            AccessCode::PinRefused
        );
    }
    assert_eq!(
        access_code(session.unlock_pin("0000", now)),
        AccessCode::PinExhausted
    );
    assert_eq!(
        access_code(session.unlock_pin("2468", now)),
        AccessCode::PinExhausted,
        "after five wrong PINs not even the right one opens"
    );
    session.unlock_confirmed(now);
    assert!(session.actor(now).is_ok());
}

#[test]
fn a_damaged_or_missing_key_ring_is_said_so() {
    let dir = tempfile::tempdir().unwrap();
    drop(set_up(dir.path()));
    std::fs::write(dir.path().join(KEYS_FILE), b"{not json").unwrap();
    assert!(matches!(
        KeyRing::load(dir.path()),
        Err(Error::Access(AccessCode::KeysDamaged))
    ));
    std::fs::remove_file(dir.path().join(KEYS_FILE)).unwrap();
    let state = readiness(dir.path()).unwrap();
    assert!(state.keys_missing && !state.needs_setup);
    assert_eq!(
        access_code(Register::set_up(
            dir.path(),
            "Nuovo",
            FIRST,
            Kdf::OWASP,
            &clock()
        )),
        AccessCode::KeysMissing,
        "a first start never replaces an encrypted register it cannot open"
    );
}
