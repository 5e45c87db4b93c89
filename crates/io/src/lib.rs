//! How articles come into unspin and how its results go out, in one place, so that the CLI,
//! the HTTP server, batch runs and the Python package read the same inputs the same way and
//! never leave a half-written file.
//!
//! * [`input`]: files, directories and streams into [`Article`]s: byte limits checked before
//!   reading, invalid UTF-8 located by line and column, binary and UTF-16 told apart, HTML
//!   pages (by extension, by sniffing, or when asked) turned into their main text.
//! * [`records`]: corpus records (JSONL lines) into articles and their metadata.
//! * [`files`]: the one atomic writer, with its refusals (directories, links, devices, the
//!   inputs of the run).
//!
//! [`Article`]: unspin_core::Article

pub mod files;
pub mod input;
pub mod records;

pub use files::{write, write_atomic, Guard, WriteError};
pub use input::{
    article_from_bytes, article_from_html, is_blank, read_article, read_article_dir,
    read_article_from, read_inputs, Given, GivenError, InputError, InputFormat, InputOptions,
};
pub use records::{InputRecord, Meta, RecordError};
