import type { MergeSettings } from "./merge-settings.ts";

/** A person as a commit names them. */
export interface Person {
  name: string;
  email: string;
}

/** What GitHub builds a merge or squash message from. */
export interface MergeSource {
  number: number;
  title: string;
  body: string | null;
  /** `owner/branch`, as the classic merge title names the head. */
  headLabel: string;
  /** The pull request's commits, oldest first. */
  commits: { message: string; author: Person }[];
  /** Who the squash commit is authored by (the pull request's author). */
  author: Person;
}

/** The message of a merge commit, from the repository's merge_commit_title and _message settings. */
export function mergeCommitMessage(settings: MergeSettings, pull: MergeSource): string {
  const title =
    settings.merge_commit_title === "MERGE_MESSAGE"
      ? `Merge pull request #${pull.number} from ${pull.headLabel}`
      : `${pull.title} (#${pull.number})`;
  const body =
    settings.merge_commit_message === "PR_TITLE"
      ? pull.title
      : settings.merge_commit_message === "PR_BODY"
        ? (pull.body ?? "")
        : "";
  return joinMessage(title, body);
}

/**
 * The message of a squash commit, from squash_merge_commit_title and _message, as GitHub builds
 * it: the title ends with ` (#N)`; COMMIT_MESSAGES lists every commit as a `* ` item (a single
 * commit under COMMIT_OR_PR_TITLE gives its own title and body instead); the co-authors (commit
 * authors other than the squash commit's author, and the commits' `Co-authored-by` trailers)
 * that the message does not already name are gathered after a `---------` line.
 */
export function squashCommitMessage(settings: MergeSettings, pull: MergeSource): string {
  const single = pull.commits.length === 1 ? pull.commits[0] : undefined;
  const fromCommit = settings.squash_merge_commit_title === "COMMIT_OR_PR_TITLE" && single !== undefined;
  const title = `${fromCommit ? firstLine(single.message) : pull.title} (#${pull.number})`;
  let body = "";
  if (settings.squash_merge_commit_message === "PR_BODY") body = pull.body ?? "";
  else if (settings.squash_merge_commit_message === "COMMIT_MESSAGES")
    body = fromCommit
      ? withoutCoAuthors(restOf(single.message))
      : pull.commits.map((c) => `* ${withoutCoAuthors(c.message)}`).join("\n\n");
  const message = joinMessage(title, body);
  if (settings.squash_merge_commit_message === "BLANK") return message;
  const named = new Set(coAuthorLines(message).map((line) => line.toLowerCase()));
  const gathered: string[] = [];
  const add = (line: string) => {
    if (named.has(line.toLowerCase())) return;
    named.add(line.toLowerCase());
    gathered.push(line);
  };
  const author = pull.author.email.toLowerCase();
  for (const commit of pull.commits) {
    if (commit.author.email.toLowerCase() !== author)
      add(`Co-authored-by: ${commit.author.name} <${commit.author.email}>`);
    for (const line of coAuthorLines(commit.message)) add(line);
  }
  return gathered.length === 0 ? message : `${message}\n\n---------\n\n${gathered.join("\n")}`;
}

function joinMessage(title: string, body: string): string {
  const rest = body.trim();
  return rest === "" ? title : `${title}\n\n${rest}`;
}

function firstLine(message: string): string {
  return (message.split("\n")[0] ?? "").trim();
}

function restOf(message: string): string {
  const newline = message.indexOf("\n");
  return newline < 0 ? "" : message.slice(newline + 1);
}

const CO_AUTHOR = /^co-authored-by:\s*(.+?)\s*$/i;

function coAuthorLines(message: string): string[] {
  return message
    .split("\n")
    .map((line) => CO_AUTHOR.exec(line)?.[1])
    .filter((who): who is string => who !== undefined)
    .map((who) => `Co-authored-by: ${who}`);
}

function withoutCoAuthors(message: string): string {
  return message
    .split("\n")
    .filter((line) => !CO_AUTHOR.test(line))
    .join("\n")
    .trim();
}
