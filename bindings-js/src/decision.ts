/**
 * `Decision`: the generated decision record with two JavaScript conveniences, the `allowed` and
 * `blocked` flags and a `toJSON` that turns its JSON-text fields into values. The fields and
 * their meaning are the engine's own; nothing here decides anything.
 */

import { DecisionKind } from "../generated/index.js";
import type { Decision as DecisionRecord } from "../generated/index.js";

/** The decision record as the raw `Engine` API returns it: the fields without the helpers. */
export type { DecisionRecord };

/** A JSON object, as `JSON.parse` returns it. */
export type JsonObject = { [key: string]: unknown };

/** What `Decision.toJSON` returns: the same fields, with `response` and `updated_input` parsed. */
export interface DecisionJSON {
  kind: DecisionKind;
  reason: string;
  context: string[];
  agent_messages: string[];
  rule_ids: string[];
  updated_input: JsonObject | undefined;
  response: JsonObject;
  stderr: string;
  exit_code: number;
}

/** The outcome of one evaluation, as `Cupcake.evaluate` and `Cupcake.evaluateSync` return it. */
export class Decision implements DecisionRecord {
  /** The winning decision kind. */
  readonly kind: DecisionKind;
  /** The reason shown to the user; empty for a plain allow. */
  readonly reason: string;
  /** `add_context` strings, on Allow. */
  readonly context: string[];
  /** Messages meant for the agent. */
  readonly agent_messages: string[];
  /** The rule ids that produced the decision. */
  readonly rule_ids: string[];
  /** The merged tool input as JSON text, on Modify. */
  readonly updated_input: string | undefined;
  /** The harness-formatted response as JSON text: what the hook prints on stdout. */
  readonly response: string;
  /** What the hook prints on stderr (exit-code protocols show it); usually empty. */
  readonly stderr: string;
  /** The exit code the hook ends with; 2 blocks in exit-code protocols (Windsurf). */
  readonly exit_code: number;

  /** Wraps a decision record from the raw `Engine` API. */
  constructor(record: DecisionRecord) {
    this.kind = record.kind;
    this.reason = record.reason;
    this.context = record.context;
    this.agent_messages = record.agent_messages;
    this.rule_ids = record.rule_ids;
    this.updated_input = record.updated_input;
    this.response = record.response;
    this.stderr = record.stderr;
    this.exit_code = record.exit_code;
  }

  /** The action may go ahead: `Allow`, or `Modify` with `updated_input` in place of the input. */
  get allowed(): boolean {
    return this.kind === DecisionKind.Allow || this.kind === DecisionKind.Modify;
  }

  /** The action must not run: `Block`, `Deny` or `Halt`. An `Ask` is neither allowed nor blocked. */
  get blocked(): boolean {
    return (
      this.kind === DecisionKind.Block ||
      this.kind === DecisionKind.Deny ||
      this.kind === DecisionKind.Halt
    );
  }

  /** A plain object with the JSON-text fields parsed, which `JSON.stringify` uses. */
  toJSON(): DecisionJSON {
    return {
      kind: this.kind,
      reason: this.reason,
      context: this.context,
      agent_messages: this.agent_messages,
      rule_ids: this.rule_ids,
      updated_input:
        this.updated_input === undefined ? undefined : (JSON.parse(this.updated_input) as JsonObject),
      response: JSON.parse(this.response) as JsonObject,
      stderr: this.stderr,
      exit_code: this.exit_code,
    };
  }
}
