import type { GitCommit, GitIdentity } from "../git-repo.ts";
import type { SimPull, SimRepo, SimUser, SimWorld } from "../world.ts";
import { mergeCommitMessage, squashCommitMessage, type MergeSource } from "./merge-messages.ts";

/** How a pull request's commits land on its base. */
export type MergeMethod = "MERGE" | "SQUASH" | "REBASE";

/** A caller's own title or message for the commit (the REST merge's commit_title / commit_message). */
export interface MessageOverride {
  title?: string | undefined;
  message?: string | undefined;
}

/**
 * Lands a pull request's head on `onto` with `method`, as GitHub writes it: MERGE makes a merge
 * commit (parents `onto` and the head), SQUASH one commit with the merged tree, REBASE replays
 * each non-merge commit keeping its author and message. GitHub commits them (verified). Returns
 * the new tip, or undefined when the changes conflict.
 */
export async function landPull(
  world: SimWorld,
  repo: SimRepo,
  pull: SimPull,
  headSha: string,
  onto: string,
  method: MergeMethod,
  merger: SimUser,
  override: MessageOverride = {},
): Promise<string | undefined> {
  const now = world.clock.now();
  const github: GitIdentity = { name: "GitHub", email: "noreply@github.com", date: now };
  const commits = await pullCommits(repo, onto, headSha);
  if (method === "REBASE") return replay(repo, commits, onto, github);
  const tree = await repo.git.mergeTrees(onto, headSha);
  if (tree === undefined) return undefined;
  const source = mergeSource(world, repo, pull, commits);
  const built =
    method === "MERGE"
      ? mergeCommitMessage(repo.mergeSettings, source)
      : squashCommitMessage(repo.mergeSettings, source);
  const author = method === "MERGE" ? identityOf(merger, now) : { ...source.author, date: now };
  const sha = await repo.git.writeCommit({
    tree,
    parents: method === "MERGE" ? [onto, headSha] : [onto],
    message: applyOverride(built, override),
    author,
    committer: github,
  });
  repo.verifiedCommits.add(sha);
  return sha;
}

/** The noreply identity GitHub gives an account's web commits. */
export function identityOf(user: SimUser, date: Date): GitIdentity {
  return { name: user.login, email: `${user.id}+${user.login}@users.noreply.github.com`, date };
}

async function pullCommits(repo: SimRepo, onto: string, headSha: string): Promise<GitCommit[]> {
  const commits: GitCommit[] = [];
  for (const sha of await repo.git.commitsBetween(onto, headSha)) {
    const commit = await repo.git.readCommit(sha);
    if (commit) commits.push(commit);
  }
  return commits;
}

function mergeSource(world: SimWorld, repo: SimRepo, pull: SimPull, commits: GitCommit[]): MergeSource {
  const issue = repo.issues.get(pull.number);
  const opener = issue?.user ?? repo.owner;
  return {
    number: pull.number,
    title: issue?.title ?? "",
    body: issue?.body ?? null,
    headLabel: `${repo.owner.login}/${pull.head}`,
    commits: commits
      .filter((c) => c.parents.length < 2)
      .map((c) => ({ message: c.message, author: c.author })),
    author: identityOf(opener, world.clock.now()),
  };
}

function applyOverride(message: string, override: MessageOverride): string {
  if (override.title === undefined && override.message === undefined) return message;
  const newline = message.indexOf("\n");
  const title = override.title ?? (newline < 0 ? message : message.slice(0, newline));
  const body = override.message ?? (newline < 0 ? "" : message.slice(newline + 1).trim());
  return body.trim() === "" ? title : `${title}\n\n${body}`;
}

// A cherry-pick is a three-way merge of the commit's tree onto the tip, with the commit's parent
// as the merge base. git 2.39's merge-tree has no --merge-base, so the base is made explicit:
// two throwaway commits (the tip's tree and the commit's tree) on one common root (the parent's tree).
async function replay(
  repo: SimRepo,
  commits: GitCommit[],
  onto: string,
  committer: GitIdentity,
): Promise<string | undefined> {
  let tip = onto;
  for (const commit of commits.filter((c) => c.parents.length < 2)) {
    const parent = commit.parents[0] ? await repo.git.readCommit(commit.parents[0]) : undefined;
    const tipCommit = await repo.git.readCommit(tip);
    if (!tipCommit) return undefined;
    const scratch = (tree: string, parents: string[]) =>
      repo.git.writeCommit({ tree, parents, message: "replay", author: committer, committer });
    const root = await scratch(parent?.tree ?? (await repo.git.writeTree(undefined, [])), []);
    const ours = await scratch(tipCommit.tree, [root]);
    const theirs = await scratch(commit.tree, [root]);
    const tree = await repo.git.mergeTrees(ours, theirs);
    if (tree === undefined) return undefined;
    tip = await repo.git.writeCommit({
      tree,
      parents: [tip],
      message: commit.message,
      author: commit.author,
      committer,
    });
    repo.verifiedCommits.add(tip);
  }
  return tip;
}
