//! The aids take time in proportion to the text, also on texts written to defeat that: one
//! endless sentence of part lists, of nested reported speech, of quotations, of title-case
//! cues. Each test times a 128 KiB and a 2 MiB text by the thread's CPU time and asserts a ratio
//! (linear work: about 16; quadratic: 256), so neither a loaded machine nor a debug build
//! fails it. Before the fixes these caught, in a debug build: 2 MiB of part lists took 51 times
//! the CPU of 128 KiB in the consistency checks, and 2 MiB of quotations and cues 31 s in the
//! quote rules and tagger (167 times).

use std::fmt::Debug;
use std::time::Duration;
use unspin_factcheck::claims::ClaimModel;
use unspin_factcheck::consistency::{check, FindingKind};
use unspin_factcheck::quotes;

/// CPU time this thread has used: unlike the wall clock, it does not grow while the thread
/// waits for a core, so a loaded machine does not change the ratios.
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Runs `run` on `text(128 KiB)` and `text(2 MiB)`, each twice (the two must agree), and
/// asserts that the big text took at most 32 times the small one's CPU time, each the faster
/// of its two runs. Returns what `run` gave for the big text.
///
/// Why the faster run: the work is linear in instructions (callgrind of `check` on "two
/// sentences alike": 128 M at 128 KiB, 1,966 M at 2 MiB, 15.4 times), but the 2 MiB text's maps
/// do not fit in the cache, so a busy neighbour evicting it costs the big run more CPU than the
/// small one. Beside a training run one timing gave 32.3; the faster of two damps such a moment.
fn in_linear_time<T: PartialEq + Debug>(
    what: &str,
    run: impl Fn(&str) -> T,
    text: impl Fn(usize) -> String,
) -> T {
    let once = |t: &str| {
        let t0 = thread_cpu_time();
        let a = run(t);
        (thread_cpu_time() - t0, a)
    };
    let timed = |t: &str| {
        let (first, a) = once(t);
        let (second, b) = once(t);
        assert!(a == b, "{what}: two runs on one text differ");
        (first.min(second), a)
    };
    let (small, _) = timed(&text(1 << 17));
    let (big, out) = timed(&text(1 << 21));
    // A floor for the small one: below a few milliseconds the clock's grain is the ratio.
    let allowed = 32 * small.max(Duration::from_millis(5));
    println!("{what}: 128 KiB in {small:?}, 2 MiB in {big:?} of CPU");
    assert!(
        big <= allowed,
        "{what}: 2 MiB took {big:?}, 128 KiB {small:?}: more than linear"
    );
    out
}

/// `piece(k)` repeated, k counting up, until the text reaches `size` bytes.
fn repeated(start: &str, size: usize, piece: impl Fn(&str) -> String) -> String {
    let mut text = String::from(start);
    let mut k: u32 = 0;
    while text.len() < size {
        // Distinct, near-identical capitalised words: "Qaaaab", "Qaaaac", ...
        let name: String = format!("{k:05}")
            .chars()
            .map(|c| (b'a' + c.to_digit(10).unwrap_or(0) as u8) as char)
            .collect();
        text.push_str(&piece(&format!("Q{name}")));
        k += 1;
    }
    text
}

#[test]
fn consistency_checks_are_linear_and_deterministic() {
    let para = "The convoy had 300 trucks, with 120 of them in Kirkuk and 170 in Mosul. \
                Café “owner” 😀 Alexei Navalny spoke on Monday about 2,000 tank trucks. \
                Of the 120 people killed, 70 were women and 50 were men. Exports rose 150%.\n";
    let found = in_linear_time("paragraphs", check, |size| {
        repeated("", size, |name| {
            format!("{para}Commander {name}ov met 7 envoys.\n")
        })
    });
    assert!(!found.is_empty());
    // One endless sentence of part lists, back-references and near-identical names.
    in_linear_time("one sentence of lists", check, |size| {
        repeated("There were 11,775 trucks", size, |name| {
            format!(" and the 300 soldiers, with 4,530 of them in Turkey and 7,250 in Iraq, {name} said")
        })
    });
    // Two endless sentences alike but for their one figure: a statement repeated with another
    // figure, found by comparing the two whole sentences.
    let found = in_linear_time("two sentences alike", check, |size| {
        let half = |figure: u32| {
            repeated(
                &format!("Prices rose by {figure} percent"),
                size / 2,
                |name| format!(" and {name} spoke"),
            )
        };
        format!("{}. {}.", half(5), half(7))
    });
    assert!(
        found
            .iter()
            .any(|f| f.kind == FindingKind::ConflictingValues),
        "{found:?}"
    );
}

#[test]
fn quotes_are_linear_on_one_endless_sentence() {
    let tagged = |t: &str| quotes::extract_with(t, quotes::embedded());
    // What is repeated, given a fresh name each time.
    type Piece = fn(&str) -> String;
    let pieces: [(&str, Piece); 7] = [
        // Every "he" looks back over earlier mentions of one surname that name other people.
        ("one surname, many people, and pronouns", |n| {
            format!(". President Bill Clinton spoke. {n} Hillary Clinton said it. He said so")
        }),
        ("cues joined by \"and\"", |n| {
            format!(" {n} Lee said it rained and warned that it was cold and")
        }),
        ("quotations and cues", |n| {
            format!(" and “we will win,” {n} said, according to officials who told reporters that")
        }),
        ("nested quotation marks", |n| {
            format!(" “he said “she said ” {n} told")
        }),
        ("nested reported speech", |n| {
            format!(" he said that she said that {n} claimed that")
        }),
        // Headlines name one person again and again, never in running text: each asks where
        // else the name is written.
        ("one name in every headline", |n| {
            format!(".\n\nVoters Praise {n} Jones Again\n\nSmith said it")
        }),
        ("title-case cues", |n| {
            format!(" {n} Minister Of State Says")
        }),
    ];
    for (what, piece) in pieces {
        let found = in_linear_time(what, tagged, |size| {
            repeated("The minister said", size, piece)
        });
        assert!(!found.is_empty(), "{what}");
    }
}

#[test]
fn claims_are_linear_on_one_endless_sentence() {
    let m = ClaimModel::embedded().expect("the embedded claim model loads");
    in_linear_time(
        "claims",
        |t| m.claims(t),
        |size| {
            repeated("The minister said", size, |n| {
                format!(" he said that {n} claimed 4,530 trucks")
            })
        },
    );
}
