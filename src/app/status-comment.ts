import { inlineCode } from "./markdown.ts";

/** The hidden line that marks the app's status comment, so it can be found again if the ledger lost its id. */
export function statusMarker(repo: string, issueNumber: number): string {
  return `<!-- swarm-foreman:status ${repo}#${issueNumber} -->`;
}

/** What the status comment shows about a task. */
export interface StatusView {
  repo: string;
  issueNumber: number;
  /** The task's state in the lifecycle's words. */
  state: string;
  agent: string | null;
  model: string | null;
  tier: string | null;
  /** The latest attempt's number; 0 before the first dispatch. */
  attempt: number;
  maxAttempts: number;
  pullNumber: number | null;
  runUrl: string | null;
  tokens: number;
  costUsd: number;
  /** ISO time of the agent's last sign of life, if any. */
  lastHeartbeat: string | null;
  /** One sentence: what happens next and who acts. */
  next: string;
  /** ISO time the comment was rendered. */
  updatedAt: string;
}

const dash = "—";

/** The body of a task's status comment; the app edits this one comment in place as the task moves. */
export function renderStatusComment(view: StatusView): string {
  const rows: [string, string][] = [
    ["State", `**${view.state}**`],
    ["Agent", view.agent === null ? dash : inlineCode(view.agent)],
    [
      "Model",
      view.model === null ? dash : `${inlineCode(view.model)}${view.tier === null ? "" : ` (${view.tier})`}`,
    ],
    ["Attempt", view.attempt === 0 ? dash : `${view.attempt} of ${view.maxAttempts}`],
    ["Pull request", view.pullNumber === null ? dash : `#${view.pullNumber}`],
    ["Workflow run", view.runUrl === null ? dash : `[run](${view.runUrl})`],
    ["Tokens so far", view.tokens.toLocaleString("en-US")],
    ["Cost so far", `$${view.costUsd.toFixed(2)}`],
    ["Last heartbeat", view.lastHeartbeat ?? dash],
  ];
  return [
    statusMarker(view.repo, view.issueNumber),
    "### Swarm Foreman",
    "",
    "| | |",
    "| --- | --- |",
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    "",
    `**Next:** ${view.next}`,
    "",
    `<sub>Updated ${view.updatedAt} by the app; this comment is edited in place. \`/swarm help\` lists the commands.</sub>`,
  ].join("\n");
}

/** The reply to `/swarm status`: the same facts as the status comment, without its marker. */
export function renderStatusReply(view: StatusView): string {
  const body = renderStatusComment(view).split("\n");
  return body.slice(1, -2).join("\n").trim();
}
