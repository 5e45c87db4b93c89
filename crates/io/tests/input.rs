//! Reading articles from files, directories and streams: exact text kept, bad inputs refused
//! with messages that name the file.

use std::fs;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use unspin_io::input::{DEFAULT_MAX_BYTES, STDIN_ID, STDIN_NAME};
use unspin_io::{read_article, read_article_dir, read_article_from, read_inputs};
use unspin_io::{InputError, InputOptions};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).unwrap();
    path
}

fn opts() -> InputOptions {
    InputOptions::default()
}

#[test]
fn default_limit_is_16_mib() {
    assert_eq!(opts().max_bytes, 16 * 1024 * 1024);
    assert_eq!(DEFAULT_MAX_BYTES, 16 * 1024 * 1024);
}

#[test]
fn bom_is_kept_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "article111.txt", "\u{feff}Hello".as_bytes());
    let a = read_article(&path, &opts()).unwrap();
    assert_eq!(a.id, "111");
    assert_eq!(a.text(), "\u{feff}Hello");
    assert_eq!(a.len_chars(), 6);
    assert_eq!(a.slice(unspin_core::CharSpan::new(1, 6)), Some("Hello"));
}

#[test]
fn crlf_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "a.txt", b"one\r\ntwo\r\n");
    let a = read_article(&path, &opts()).unwrap();
    assert_eq!(a.id, "a");
    assert_eq!(a.text(), "one\r\ntwo\r\n");
    assert_eq!(a.len_chars(), 10);
}

#[test]
fn non_ascii_and_astral_characters() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Café — “quoted” 😀 𝕏 end";
    let path = write(dir.path(), "article7.txt", text.as_bytes());
    let a = read_article(&path, &opts()).unwrap();
    assert_eq!(a.text(), text);
    assert_eq!(a.len_chars(), text.chars().count());
    assert_eq!(a.offsets().len_bytes(), text.len());
    // 😀 is code point 16, a single character even though it is 4 bytes.
    assert_eq!(a.slice(unspin_core::CharSpan::new(16, 17)), Some("😀"));
}

#[test]
fn invalid_utf8_reports_line_column_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = "first\nsecond é\nab".as_bytes().to_vec();
    bytes.push(0xE9); // Latin-1 é: invalid in UTF-8.
    bytes.extend_from_slice(b"cd\n");
    let path = write(dir.path(), "article5.txt", &bytes);
    let err = read_article(&path, &opts()).unwrap_err();
    match &err {
        InputError::NotUtf8 {
            path: p,
            line,
            column,
            byte,
        } => {
            assert_eq!(p, &path);
            assert_eq!(*line, 3);
            assert_eq!(*column, 3);
            // "first\n" (6) + "second é\n" (10) + "ab" (2).
            assert_eq!(*byte, 18);
        }
        other => panic!("expected NotUtf8, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("article5.txt"), "{msg}");
    assert!(msg.contains("line 3"), "{msg}");
    assert!(msg.contains("column 3"), "{msg}");
}

#[test]
fn binary_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0";
    let path = write(dir.path(), "picture.txt", png);
    let err = read_article(&path, &opts()).unwrap_err();
    assert!(matches!(err, InputError::Binary { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("picture.txt"), "{msg}");
    assert!(msg.contains("binary"), "{msg}");
}

#[test]
fn utf16_file_gets_a_conversion_hint() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    for u in "Hi".encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let path = write(dir.path(), "wide.txt", &bytes);
    let err = read_article(&path, &opts()).unwrap_err();
    assert!(matches!(err, InputError::Utf16 { .. }), "{err:?}");
    assert!(err.to_string().contains("wide.txt"));
}

#[test]
fn empty_file_is_an_empty_article() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "article9.txt", b"");
    let a = read_article(&path, &opts()).unwrap();
    assert_eq!(a.id, "9");
    assert_eq!(a.text(), "");
    assert_eq!(a.len_chars(), 0);
}

#[test]
fn huge_file_is_refused_unless_the_limit_is_raised() {
    const SIZE: u64 = 100 * 1024 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.txt");
    {
        let line = b"The quick brown fox jumps over the lazy dog again and again.\n";
        let mut chunk = Vec::with_capacity(1 << 20);
        while chunk.len() + line.len() <= 1 << 20 {
            chunk.extend_from_slice(line);
        }
        chunk.resize(1 << 20, b' ');
        let mut f = fs::File::create(&path).unwrap();
        for _ in 0..100 {
            f.write_all(&chunk).unwrap();
        }
    }
    assert_eq!(fs::metadata(&path).unwrap().len(), SIZE);

    let err = read_article(&path, &opts()).unwrap_err();
    match &err {
        InputError::TooLarge { size, limit, .. } => {
            assert_eq!(*size, Some(SIZE));
            assert_eq!(*limit, DEFAULT_MAX_BYTES);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("big.txt"), "{msg}");
    assert!(msg.contains(&SIZE.to_string()), "{msg}");
    assert!(msg.contains(&DEFAULT_MAX_BYTES.to_string()), "{msg}");
    assert!(msg.contains("--max-bytes"), "{msg}");

    let raised = InputOptions {
        max_bytes: SIZE,
        ..InputOptions::default()
    };
    let a = read_article(&path, &raised).unwrap();
    assert_eq!(a.len_chars() as u64, SIZE);
    assert!(a.text().starts_with("The quick brown fox"));
}

#[cfg(unix)]
#[test]
fn dangling_symlink_in_directory_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "article1.txt", b"fine");
    std::os::unix::fs::symlink(dir.path().join("missing"), dir.path().join("x.txt")).unwrap();
    let err = read_article_dir(dir.path(), &opts()).unwrap_err();
    assert!(matches!(err, InputError::Io { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("x.txt"), "{msg}");
    assert!(msg.contains("dangling"), "{msg}");

    // Through read_inputs as well, and given directly.
    let err = read_inputs(&[dir.path().to_path_buf()], &opts()).unwrap_err();
    assert!(err.to_string().contains("x.txt"));
    let err = read_inputs(&[dir.path().join("x.txt")], &opts()).unwrap_err();
    assert!(err.to_string().contains("dangling"), "{err}");
}

#[cfg(unix)]
#[test]
fn symlinks_to_files_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = write(elsewhere.path(), "real.txt", b"linked text");
    std::os::unix::fs::symlink(&target, dir.path().join("article3.txt")).unwrap();
    let articles = read_article_dir(dir.path(), &opts()).unwrap();
    assert_eq!(articles.len(), 1);
    assert_eq!(articles[0].id, "3");
    assert_eq!(articles[0].text(), "linked text");
}

#[test]
fn directory_reads_article_files_below_it_in_name_order() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "article2.txt", b"two");
    write(dir.path(), "article10.txt", b"ten");
    write(dir.path(), "article1.txt", b"one");
    write(dir.path(), "article1.labels.tsv", b"1\tX\t0\t1\n");
    write(dir.path(), "._article4.txt", b"\0\x05\x16\x07");
    fs::create_dir(dir.path().join("sub")).unwrap();
    write(&dir.path().join("sub"), "article99.TXT", b"nested");
    fs::create_dir(dir.path().join("folder.txt")).unwrap();

    let articles = read_article_dir(dir.path(), &opts()).unwrap();
    let ids: Vec<_> = articles.iter().map(|a| a.id.as_str()).collect();
    // Byte order of file names within a directory: "article10" sorts before "article2";
    // subdirectories are read where their names sort, extensions in any case.
    assert_eq!(ids, ["1", "10", "2", "99"]);
    assert_eq!(articles[0].text(), "one");
}

#[test]
fn a_directory_yields_the_records_of_its_jsonl_files_and_names_a_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "article1.txt", b"one");
    write(
        dir.path(),
        "feed.jsonl",
        b"{\"id\": \"r1\", \"text\": \"first\"}\n\n{\"id\": \"r2\", \"html\": \"<p>second</p>\"}\n",
    );
    let articles = read_inputs(&[dir.path().to_path_buf()], &opts()).unwrap();
    let ids: Vec<_> = articles.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["1", "r1", "r2"]);
    assert_eq!(articles[1].text(), "first");
    assert!(articles[2].text().contains("second"));

    write(
        dir.path(),
        "more.jsonl",
        b"{\"id\": \"r3\", \"text\": \"ok\"}\n{\"id\": \"r4\"}\n",
    );
    let err = read_inputs(&[dir.path().to_path_buf()], &opts()).unwrap_err();
    assert!(matches!(err, InputError::Record { .. }), "{err:?}");
    assert!(err.to_string().contains("more.jsonl:2: "), "{err}");

    fs::remove_file(dir.path().join("more.jsonl")).unwrap();
    write(
        dir.path(),
        "dup.jsonl",
        b"{\"id\": \"1\", \"text\": \"again\"}\n",
    );
    let err = read_inputs(&[dir.path().to_path_buf()], &opts()).unwrap_err();
    assert!(matches!(err, InputError::DuplicateId { .. }), "{err:?}");
    assert!(err.to_string().contains("dup.jsonl:1"), "{err}");
}

#[test]
fn directory_without_txt_files_is_no_articles() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "notes.md", b"nothing here");
    let err = read_article_dir(dir.path(), &opts()).unwrap_err();
    assert!(matches!(err, InputError::NoArticles { .. }), "{err:?}");
    let name = dir
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(err.to_string().contains(&name), "{err}");

    let err = read_inputs(&[dir.path().to_path_buf()], &opts()).unwrap_err();
    assert!(matches!(err, InputError::NoArticles { .. }), "{err:?}");
}

#[test]
fn duplicate_ids_across_directories() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    write(a.path(), "article1.txt", b"one");
    write(a.path(), "article2.txt", b"two");
    write(b.path(), "article2.txt", b"two again");
    let err = read_inputs(&[a.path().to_path_buf(), b.path().to_path_buf()], &opts()).unwrap_err();
    match &err {
        InputError::DuplicateId { id, first, second } => {
            assert_eq!(id, "2");
            assert_eq!(first, &a.path().join("article2.txt"));
            assert_eq!(second, &b.path().join("article2.txt"));
        }
        other => panic!("expected DuplicateId, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("article2.txt"), "{msg}");
    assert!(msg.contains("\"2\""), "{msg}");
}

#[test]
fn duplicate_ids_within_a_directory() {
    // `article5.txt` and `5.txt` both have id 5.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "article5.txt", b"a");
    write(dir.path(), "5.txt", b"b");
    let err = read_article_dir(dir.path(), &opts()).unwrap_err();
    assert!(matches!(err, InputError::DuplicateId { .. }), "{err:?}");
}

#[test]
fn read_inputs_mixes_files_and_directories_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let single = tempfile::tempdir().unwrap();
    write(dir.path(), "article1.txt", b"one");
    write(dir.path(), "article2.txt", b"two");
    let file = write(single.path(), "news.txt", b"news");
    let articles = read_inputs(&[file.clone(), dir.path().to_path_buf()], &opts()).unwrap();
    let ids: Vec<_> = articles.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["news", "1", "2"]);

    // The same file twice is a duplicate, not silently read twice.
    let err = read_inputs(&[file.clone(), file], &opts()).unwrap_err();
    assert!(matches!(err, InputError::DuplicateId { .. }), "{err:?}");
}

#[test]
fn read_inputs_refuses_blank_articles_naming_them() {
    // The same rule as the HTTP API and `batch`: white space only (a BOM included) is empty.
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("empty.txt", &b""[..]),
        ("spaces.txt", b" \n\t\r\n"),
        ("bom.txt", "\u{feff}\n".as_bytes()),
    ] {
        let path = write(dir.path(), name, bytes);
        let err = read_inputs(&[path], &opts()).unwrap_err();
        assert!(matches!(err, InputError::Empty { .. }), "{err:?}");
        assert!(err.to_string().contains(name), "{err}");
    }
    // Inside a directory too, naming the file rather than the directory.
    let err = read_inputs(&[dir.path().to_path_buf()], &opts()).unwrap_err();
    assert!(matches!(err, InputError::Empty { .. }), "{err:?}");
    assert!(err.to_string().contains("bom.txt"), "{err}");
    // read_article itself still reads an empty file as it is (classify and training use it).
    assert_eq!(
        read_article(&dir.path().join("empty.txt"), &opts())
            .unwrap()
            .text(),
        ""
    );
}

#[test]
fn missing_paths_and_wrong_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.txt");
    let err = read_inputs(std::slice::from_ref(&missing), &opts()).unwrap_err();
    assert!(matches!(err, InputError::NotFound { .. }), "{err:?}");
    assert!(err.to_string().contains("nope.txt"));
    let err = read_article(&missing, &opts()).unwrap_err();
    assert!(matches!(err, InputError::NotFound { .. }), "{err:?}");

    let err = read_article(dir.path(), &opts()).unwrap_err();
    assert!(matches!(err, InputError::NotAFile { .. }), "{err:?}");

    let file = write(dir.path(), "a.txt", b"x");
    let err = read_article_dir(&file, &opts()).unwrap_err();
    assert!(matches!(err, InputError::NotADirectory { .. }), "{err:?}");
    assert!(err.to_string().contains("a.txt"));
}

#[test]
fn a_bad_file_fails_the_whole_batch() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.txt", b"fine");
    let bad = write(dir.path(), "bad.txt", b"oops \xfd");
    let err = read_inputs(&[good, bad], &opts()).unwrap_err();
    assert!(matches!(err, InputError::NotUtf8 { .. }), "{err:?}");
    assert!(err.to_string().contains("bad.txt"), "{err}");
}

#[test]
fn stream_reader_reads_and_limits() {
    let a = read_article_from(
        Cursor::new("\u{feff}From stdin\r\n".as_bytes()),
        STDIN_ID,
        STDIN_NAME,
        &opts(),
    )
    .unwrap();
    assert_eq!(a.id, "stdin");
    assert_eq!(a.text(), "\u{feff}From stdin\r\n");
    assert_eq!(a.len_chars(), 13);

    // Exactly at the limit is fine; one byte more is refused.
    let small = InputOptions {
        max_bytes: 10,
        ..InputOptions::default()
    };
    let a = read_article_from(Cursor::new(vec![b'a'; 10]), "stdin", "<stdin>", &small).unwrap();
    assert_eq!(a.len_chars(), 10);
    let err =
        read_article_from(Cursor::new(vec![b'a'; 11]), "stdin", "<stdin>", &small).unwrap_err();
    match &err {
        InputError::TooLarge { path, size, limit } => {
            assert_eq!(path, Path::new("<stdin>"));
            assert_eq!(*size, None);
            assert_eq!(*limit, 10);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("<stdin>"), "{msg}");
    assert!(msg.contains("--max-bytes"), "{msg}");

    // An endless stream stops just past the limit instead of exhausting memory.
    let endless = std::io::repeat(b'a');
    let err = read_article_from(endless, "stdin", "<stdin>", &small).unwrap_err();
    assert!(matches!(err, InputError::TooLarge { .. }), "{err:?}");

    // Stream errors name the stream too.
    let err = read_article_from(
        Cursor::new(b"ok\n\xc3".to_vec()),
        "stdin",
        "<stdin>",
        &opts(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            InputError::NotUtf8 {
                line: 2,
                column: 1,
                byte: 3,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("<stdin>"));
    let err =
        read_article_from(Cursor::new(b"\0\0".to_vec()), "stdin", "<stdin>", &opts()).unwrap_err();
    assert!(err.to_string().starts_with("<stdin>:"), "{err}");
}

#[test]
fn html_pages_become_their_main_text_in_any_declared_charset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("article77.htm");
    // Latin-1 bytes (é = 0xE9): not UTF-8, yet a valid page because it says so.
    let mut page = b"<html><head><meta charset=\"iso-8859-1\"><title>Caf\xe9 news</title></head><body>\
        <nav><a href=\"/\">Home</a> <a href=\"/about\">About us</a></nav>\
        <article><h1>Caf\xe9 news</h1><p>The caf\xe9 on the corner reopened on Monday after a long \
        renovation, and the owners said the queue reached the end of the street by noon.</p>\
        <p>Regulars said the coffee tasted exactly as it did before the works began last spring.</p>\
        </article></body></html>"
        .to_vec();
    page.extend_from_slice(b"\n");
    fs::write(&path, &page).unwrap();
    let a = read_article(&path, &opts()).unwrap();
    assert_eq!(a.id, "77");
    assert!(a.extracted);
    assert_eq!(a.title.as_deref(), Some("Café news"));
    assert!(
        a.text().starts_with("The café on the corner reopened"),
        "{:?}",
        a.text()
    );
    assert!(!a.text().contains("About us"));

    // Forced plain text refuses the same bytes as invalid UTF-8.
    let text_only = InputOptions {
        format: unspin_io::InputFormat::Text,
        ..InputOptions::default()
    };
    assert!(matches!(
        read_article(&path, &text_only),
        Err(InputError::NotUtf8 { .. })
    ));
}

#[test]
fn discovery_skips_hidden_directories_and_links_that_are_no_inputs() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "article1.txt", b"one");
    fs::create_dir(dir.path().join(".venv")).unwrap();
    write(&dir.path().join(".venv"), "LICENSE.txt", b"not an article");
    #[cfg(unix)]
    {
        // An editor's lock link points nowhere; so may a stray log link.
        std::os::unix::fs::symlink("nobody@host.123", dir.path().join(".#article1.txt")).unwrap();
        std::os::unix::fs::symlink("gone.log", dir.path().join("run.log")).unwrap();
        // A link round in a circle, and one through a file: broken too, and no inputs.
        std::os::unix::fs::symlink("self.log", dir.path().join("self.log")).unwrap();
        std::os::unix::fs::symlink("article1.txt/x", dir.path().join("through.log")).unwrap();
    }
    let ids: Vec<String> = read_article_dir(dir.path(), &opts())
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(ids, ["1"]);
}

/// A second `-` would find standard input already read and be refused as empty, which
/// misleads: the error says what happened instead.
#[test]
fn standard_input_given_twice_is_an_error_saying_so() {
    let dashes = [PathBuf::from("-"), PathBuf::from("-")];
    let err = read_inputs(&dashes, &opts()).unwrap_err();
    assert!(matches!(err, InputError::StdinTwice), "{err:?}");
    assert!(err.to_string().contains("more than once"), "{err}");
}

/// A file whose name would make an id with a tab or a line break is refused by name: the id
/// would split its rows in the tab-separated outputs.
#[cfg(unix)]
#[test]
fn a_file_name_that_makes_a_bad_id_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "article1\t2.txt", b"text");
    let err = read_article_dir(dir.path(), &opts()).unwrap_err();
    assert!(matches!(err, InputError::BadId { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("U+0009") && msg.contains("rename"), "{msg}");
}

/// A folder that cannot be listed holds articles nobody will read: an error naming it, not a
/// silent skip (a directory's name is never an input's, which once let it pass as "no input").
#[cfg(unix)]
#[test]
fn a_directory_that_cannot_be_listed_is_an_error_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "article1.txt", b"one");
    let sub = dir.path().join("sub");
    fs::create_dir(&sub).unwrap();
    write(&sub, "article2.txt", b"two");
    fs::set_permissions(&sub, fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads any directory, so there is nothing to check (CI may run as root).
    let listable = fs::read_dir(&sub).is_ok();
    let result = read_article_dir(dir.path(), &opts());
    fs::set_permissions(&sub, fs::Permissions::from_mode(0o755)).unwrap();
    if listable {
        eprintln!("skipped: this user can list a directory with mode 000 (root)");
        return;
    }
    let err = result.unwrap_err();
    assert!(matches!(err, InputError::Io { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("sub"), "{msg}");
    assert!(msg.to_lowercase().contains("permission"), "{msg}");
}

#[test]
fn a_jsonl_file_given_by_name_is_its_records() {
    let dir = tempfile::tempdir().unwrap();
    let feed = write(
        dir.path(),
        "feed.jsonl",
        b"{\"id\": \"r1\", \"text\": \"first\"}\n{\"id\": \"r2\", \"text\": \"second\"}\n",
    );
    let articles = read_inputs(&[feed], &opts()).unwrap();
    let ids: Vec<&str> = articles.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["r1", "r2"]);
    assert_eq!(articles[1].text(), "second");
}
