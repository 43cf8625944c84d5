//! `cupcake inspect` and `cupcake validate`: load and compile the policies, then describe them
//! for a person (a table) or a program (`--json`); validate also lints and sets the exit code.

use std::process::ExitCode;

use anyhow::Result;
use cupcake::Policy;
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
        let policies: Vec<_> = engine
            .policies()
            .iter()
            .chain(engine.global_policies())
            .map(policy_json)
            .collect();
        let report = json!({
            "harness": engine.harness().dir_name(),
            "policies": policies,
            "routes": engine.route_keys(),
            "signals": engine.signal_names(),
            "host_builtins": engine.host_builtins(),
            "self_protection": engine.self_protection(),
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
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
    println!();
    println!("routes:  {}", engine.route_keys().join("  "));
    println!(
        "signals: {}",
        none_if_empty(&engine.signal_names().join(", "))
    );
    println!(
        "host builtins: {}",
        none_if_empty(&engine.host_builtins().join(", "))
    );
    println!("self-protection: {}", self_protection(&engine));
    Ok(())
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
        println!("{}", padded.join("  ").trim_end());
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
}

/// Loads and compiles everything, then lints. Errors print as `file:line: message`.
pub(crate) fn validate(args: &ValidateArgs) -> ExitCode {
    let engine = match args.load.engine() {
        Ok(engine) => engine,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut warnings = 0;
    if !engine.self_protection() {
        eprintln!(
            "warning: self-protection is off (rulebook.yml: self_protection.enabled: false); the agent can change cupcake's own policies and hook configuration"
        );
        warnings += 1;
    }
    for policy in engine.policies().iter().chain(engine.global_policies()) {
        let routing = policy.metadata.routing.clone().unwrap_or_default();
        let source = std::fs::read_to_string(&policy.path).unwrap_or_default();
        // A policy decides every event it is routed for, so a rule that does not check the event
        // fires for each of them; likely a mistake when there are several.
        if routing.required_events.len() > 1 && !source.contains("hook_event_name") {
            eprintln!(
                "warning: {}: routed for several events but no rule checks input.hook_event_name",
                policy.path.display()
            );
            warnings += 1;
        }
    }
    println!(
        "ok: {} policies ({} global), {} routes, {} warnings",
        engine.policies().len() + engine.global_policies().len(),
        engine.global_policies().len(),
        engine.route_keys().len(),
        warnings
    );
    ExitCode::SUCCESS
}
