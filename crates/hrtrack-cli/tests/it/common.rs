//! What every test of the `hrtrack` binary needs: a fresh temporary folder with its own
//! SQLite database, a way to run the real binary there, and the paths of the real data files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// The data bundled with the repository (the demo's files).
pub const REPO_UPR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/upr");

/// UPR Info's export for Turkmenistan, cycles 1 and 2 (275 rows, 270 recommendations).
pub fn turkmenistan_csv() -> PathBuf {
    Path::new(REPO_UPR).join("upr_info_turkmenistan_cycles1-2.csv")
}

/// OHCHR's thematic list of Slovenia's fourth review (254 recommendations).
pub fn slovenia_4_docx() -> PathBuf {
    Path::new(REPO_UPR).join("upr48-slovenia-thematic-list-of-recommendations.docx")
}

/// One test's folder and database. Commands run with the folder as current directory, so
/// files written there are named in messages by their bare name.
pub struct Workspace {
    dir: TempDir,
    db: String,
}

impl Workspace {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let db = format!("sqlite://{}", dir.path().join("t.db").display());
        Self { dir, db }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file into the folder and returns its bare name.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        std::fs::write(self.file(name), bytes).expect("a test file");
        name.to_owned()
    }

    /// The database URL of this workspace.
    pub fn db(&self) -> &str {
        &self.db
    }

    /// Runs `hrtrack --db <this database> ARGS…`.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_db(Some(&self.db), args)
    }

    /// Runs `hrtrack` with `--db URL` when given, and no `HRTRACK_DB` from the environment.
    pub fn run_with_db(&self, db: Option<&str>, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hrtrack"));
        command
            .current_dir(self.dir.path())
            .env_remove("HRTRACK_DB")
            .env_remove("HRTRACK_PASSWORD")
            .env("NO_COLOR", "1");
        if let Some(db) = db {
            command.args(["--db", db]);
        }
        command.args(args).output().expect("hrtrack runs")
    }

    /// Runs `hrtrack --db <this database> ARGS…` with extra environment variables and, when
    /// given, `stdin` as its standard input (a pipe, not a terminal).
    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
        use std::io::Write;
        use std::process::Stdio;
        let mut command = Command::new(env!("CARGO_BIN_EXE_hrtrack"));
        command
            .current_dir(self.dir.path())
            .env_remove("HRTRACK_DB")
            .env_remove("HRTRACK_PASSWORD")
            .env("NO_COLOR", "1")
            .args(["--db", &self.db])
            .args(args)
            .envs(env.iter().copied())
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("hrtrack runs");
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .expect("a pipe")
                .write_all(input.as_bytes())
                .expect("write standard input");
        }
        child.wait_with_output().expect("hrtrack ends")
    }

    /// Runs a command that must succeed and returns its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        succeeded(&output, args)
    }

    /// `stats --json` (with extra filter arguments) as text, exactly as printed.
    pub fn stats_text(&self, filter: &[&str]) -> String {
        let mut args = vec!["stats", "--json"];
        args.extend_from_slice(filter);
        self.ok(&args)
    }

    /// `stats --json` (with extra filter arguments), parsed.
    pub fn stats(&self, filter: &[&str]) -> serde_json::Value {
        parse_json(&self.stats_text(filter))
    }

    /// Imports the Turkmenistan UPR Info file, so that the database is not empty.
    pub fn import_small_good_file(&self) {
        let csv = turkmenistan_csv();
        self.ok(&["import", "upr-info", path_str(&csv)]);
    }

    /// Runs an import that must fail: non-zero exit, a message on stderr that names `file` and
    /// every one of `places`, and a database whose statistics are what they were. Returns
    /// the message.
    pub fn refused(&self, args: &[&str], file: &str, places: &[&str]) -> String {
        let before = self.stats_text(&[]);
        let output = self.run(args);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(
            !output.status.success(),
            "`hrtrack {}` succeeded; stderr: {stderr}",
            args.join(" ")
        );
        assert!(
            !stderr.contains("panicked"),
            "`hrtrack {}` panicked: {stderr}",
            args.join(" ")
        );
        assert!(
            stderr.contains(file),
            "the message does not name the file {file:?}: {stderr}"
        );
        for place in places {
            assert!(
                stderr.contains(place),
                "the message does not name the place {place:?}: {stderr}"
            );
        }
        let after = self.stats_text(&[]);
        assert_eq!(
            before,
            after,
            "the failed import `hrtrack {}` changed the database",
            args.join(" ")
        );
        stderr
    }
}

/// The standard output of a command that must have succeeded.
pub fn succeeded(output: &Output, args: &[&str]) -> String {
    assert!(
        output.status.success(),
        "`hrtrack {}` failed ({}): {}",
        args.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// One JSON document, or a panic that shows the text.
pub fn parse_json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not one JSON document ({e}): {text}"))
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}
