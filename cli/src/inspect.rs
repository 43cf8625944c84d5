//! `cupcake inspect` and `cupcake validate`: load and compile the policies, then describe them
//! for a person (a table) or a program (`--json`); validate also lints and sets the exit code.

use std::process::ExitCode;

use anyhow::Result;
use cupcake::Policy;
use cupcake::Severity;
use serde_json::json;

use crate::LoadArgs;

#[derive(clap::Args)]
pub(crate) struct InspectArgs {
    #[command(flatten)]
    load: LoadArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub(crate) fn inspect(args: &InspectArgs) -> Result<()> {
    let engine = args.load.engine()?;
    if args.json {
        crate::outln!("{}", serde_json::to_string_pretty(&report(&engine))?);
        return Ok(());
    }
    let rows: Vec<[String; 4]> = engine
        .global_policies()
        .iter()
        .chain(engine.policies())
        .map(|policy| {
            let routing = policy.metadata.routing.clone().unwrap_or_default();
            let tools = if routing.required_tools.is_empty() {
                "*".to_string()
            } else {
                routing.required_tools.join(",")
            };
            [
                policy.package.clone(),
                routing.required_events.join(","),
                tools,
                routing.required_signals.join(","),
            ]
        })
        .collect();
    print_table(["POLICY", "EVENTS", "TOOLS", "SIGNALS"], &rows);
    crate::outln!();
    crate::outln!("routes:  {}", engine.route_keys().join("  "));
    crate::outln!(
        "signals: {}",
        none_if_empty(&engine.signal_names().join(", "))
    );
    crate::outln!(
        "host builtins: {}",
        none_if_empty(&engine.host_builtins().join(", "))
    );
    crate::outln!("self-protection: {}", self_protection(&engine));
    Ok(())
}

/// What `inspect --json` prints (and the server's `/v1/policies` answers) for `engine`.
pub(crate) fn report(engine: &cupcake::Engine) -> serde_json::Value {
    let policies: Vec<_> = engine
        .policies()
        .iter()
        .chain(engine.global_policies())
        .map(policy_json)
        .collect();
    json!({
        "harness": engine.harness().dir_name(),
        "policy_set": engine.policy_set(),
        "policies": policies,
        "routes": engine.route_keys(),
        "signals": engine.signal_names(),
        "host_builtins": engine.host_builtins(),
        "self_protection": engine.self_protection(),
    })
}

fn self_protection(engine: &cupcake::Engine) -> &'static str {
    if engine.self_protection() {
        "on"
    } else {
        "OFF (rulebook.yml: self_protection.enabled: false)"
    }
}

fn none_if_empty(text: &str) -> &str {
    if text.is_empty() {
        "(none)"
    } else {
        text
    }
}

fn policy_json(policy: &Policy) -> serde_json::Value {
    let routing = policy.metadata.routing.clone().unwrap_or_default();
    json!({
        "file": policy.path.display().to_string(),
        "package": policy.package,
        "id": policy.metadata.id,
        "title": policy.metadata.title,
        "events": routing.required_events,
        "tools": routing.required_tools,
        "signals": routing.required_signals,
    })
}

fn print_table<const N: usize>(header: [&str; N], rows: &[[String; N]]) {
    let mut widths = header.map(str::len);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.len());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        crate::outln!("{}", padded.join("  ").trim_end());
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

#[derive(clap::Args)]
pub(crate) struct ValidateArgs {
    #[command(flatten)]
    load: LoadArgs,
    /// Fail on warnings too.
    #[arg(long)]
    strict: bool,
    /// Print the findings as JSON.
    #[arg(long)]
    json: bool,
}

/// Loads and compiles everything, then lints (`cupcake::lint`). Findings print as
/// `severity: file:line: message`; the exit code is non-zero on errors (and, with `--strict`,
/// on warnings).
pub(crate) fn validate(args: &ValidateArgs) -> ExitCode {
    let (findings, policies) = match args.load.engine() {
        Ok(engine) => {
            let options = match args.load.options() {
                Ok(options) => options,
                Err(err) => return fail(args, &format!("{err:#}")),
            };
            let count = engine.policies().len() + engine.global_policies().len();
            (cupcake::lint(&engine, &options), count)
        }
        Err(err) => (vec![load_finding(&err)], 0),
    };
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    let failed = errors > 0 || (args.strict && warnings > 0);
    if args.json {
        let report = json!({
            "ok": !failed,
            "policies": policies,
            "errors": errors,
            "warnings": warnings,
            "findings": findings.iter().map(|f| json!({
                "severity": f.severity.as_str(),
                "file": f.file.display().to_string(),
                "line": f.line,
                "message": f.message,
            })).collect::<Vec<_>>(),
        });
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        for finding in &findings {
            let line = finding.line.map(|l| format!(":{l}")).unwrap_or_default();
            eprintln!(
                "{}: {}{line}: {}",
                finding.severity.as_str(),
                finding.file.display(),
                finding.message
            );
        }
        crate::outln!(
            "{}: {policies} policies, {errors} errors, {warnings} warnings",
            if failed { "failed" } else { "ok" }
        );
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// A load failure as a finding, with the file and line the error names.
fn load_finding(err: &anyhow::Error) -> cupcake::Finding {
    let (file, line) = match err.downcast_ref::<cupcake::Error>() {
        Some(cupcake::Error::PolicyCompile { file, line, .. }) => (file.clone(), *line),
        Some(cupcake::Error::Config { path, .. }) => (path.clone(), None),
        _ => (std::path::PathBuf::from("."), None),
    };
    cupcake::Finding {
        severity: Severity::Error,
        file,
        line,
        message: format!("{err:#}"),
    }
}

fn fail(args: &ValidateArgs, message: &str) -> ExitCode {
    if args.json {
        crate::outln!(
            "{}",
            json!({"ok": false, "errors": 1, "warnings": 0, "findings": [{"severity": "error", "file": ".", "line": null, "message": message}]})
        );
    } else {
        eprintln!("error: {message}");
    }
    ExitCode::FAILURE
}
