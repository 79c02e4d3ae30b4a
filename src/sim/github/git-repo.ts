import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A person as git records one in a commit. */
export interface GitIdentity {
  name: string;
  email: string;
  date: Date;
}

/** A commit as read back from git. */
export interface GitCommit {
  sha: string;
  tree: string;
  parents: string[];
  author: GitIdentity;
  committer: GitIdentity;
  message: string;
}

/** One entry of a tree listing. */
export interface GitTreeEntry {
  mode: string;
  type: "blob" | "tree" | "commit";
  sha: string;
  path: string;
  size: number | undefined;
}

/** A change to apply to a tree: `sha: null` removes the path. */
export interface TreeChange {
  path: string;
  mode: string;
  type: "blob" | "tree" | "commit";
  sha: string | null;
}

/** One file a diff between two commits touched. */
export interface DiffFile {
  filename: string;
  previousFilename: string | undefined;
  status: "added" | "removed" | "modified" | "renamed";
  sha: string;
  additions: number;
  deletions: number;
  patch: string;
}

/** A failed git command, with its arguments and what git said. */
export class GitCommandError extends Error {
  readonly exitCode: number;
  readonly stderr: string;
  constructor(args: string[], exitCode: number, stderr: string) {
    super(`git ${args.join(" ")} exited ${exitCode}: ${stderr.trim()}`);
    this.name = "GitCommandError";
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

const ZERO_SHA = "0000000000000000000000000000000000000000";
/** The tree with nothing in it, which git knows without storing it: a root commit's "parent". */
export const EMPTY_TREE_SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const FULL_SHA = /^[0-9a-f]{40}$/;
const ABBREVIATED_SHA = /^[0-9a-f]{4,39}$/;
const SHA_PREFIX = /^[0-9a-f]{4}/;
// Entries a memo keeps before it starts over.
const MEMO_LIMIT = 5000;

/** Found answers kept by key, up to a limit (then it starts over); an undefined key is never kept. */
class BoundedMemo<T> {
  readonly #values = new Map<string, Promise<T>>();

  get(key: string | undefined, compute: () => Promise<T>): Promise<T> {
    if (key === undefined) return compute();
    let value = this.#values.get(key);
    if (value === undefined) {
      if (this.#values.size >= MEMO_LIMIT) this.#values.clear();
      value = compute();
      this.#values.set(key, value);
      // A failed or empty read is not kept (an object may be written later): the next one asks again.
      value.then(
        (v) => v === undefined && this.#values.delete(key),
        () => this.#values.delete(key),
      );
    }
    return value;
  }
}

/**
 * A bare repository driven by the git CLI: objects, refs and merges are git's own. Every call is
 * an argv array (never a shell), so names from requests cannot inject commands.
 */
export class GitRepo {
  readonly gitDir: string;
  // Objects never change once written, so what was read by full sha is kept (a few thousand at
  // most) and repeated reads, such as a config fetched on every event, spawn no git process.
  readonly #blobs = new BoundedMemo<Buffer | undefined>();
  readonly #entries = new BoundedMemo<GitTreeEntry | undefined>();
  // So is what follows from full shas alone (a diff, a merge base, the commits between two), which
  // the pull request routes and the merge queue ask again on every event.
  readonly #derived = new BoundedMemo<unknown>();
  // Refs change only through updateRef and deleteRef, so a name's resolution (a branch, `main^{commit}`)
  // is kept until one of them runs, and a full sha's for good: a pull request's head and base are
  // resolved on nearly every request, and each would otherwise spawn git.
  readonly #resolved = new Map<string, { generation: number; sha: string | undefined }>();
  #refGeneration = 0;

  constructor(gitDir: string) {
    this.gitDir = gitDir;
  }

  /** Creates an empty bare repository whose HEAD names `defaultBranch`. */
  static async init(gitDir: string, defaultBranch: string): Promise<GitRepo> {
    await runGit(["init", "--quiet", "--bare", `--initial-branch=${defaultBranch}`, gitDir]);
    return new GitRepo(gitDir);
  }

  /** What `compute` answers for full shas, kept (each caller gets a copy); other revisions are asked each time. */
  #fromShas<T>(op: string, shas: string[], compute: () => Promise<T>): Promise<T> {
    const key = shas.every((s) => FULL_SHA.test(s)) ? `${op}\0${shas.join("\0")}` : undefined;
    return (this.#derived.get(key, compute) as Promise<T>).then((value) => structuredClone(value));
  }

  /** Runs git in this repository; returns stdout. */
  async git(args: string[], options: { input?: Buffer | string; env?: Record<string, string> } = {}) {
    return runGit(["--git-dir", this.gitDir, ...args], options);
  }

  /** Writes file contents as a blob; returns its sha. */
  async writeBlob(content: Buffer): Promise<string> {
    return (await this.git(["hash-object", "-w", "--stdin"], { input: content })).toString().trim();
  }

  /** The bytes of a blob, or undefined when the sha is not a blob here. */
  async readBlob(sha: string): Promise<Buffer | undefined> {
    return this.#blobs.get(FULL_SHA.test(sha) ? sha : undefined, async () => {
      if ((await this.objectType(sha)) !== "blob") return undefined;
      return this.git(["cat-file", "blob", sha]);
    });
  }

  /** The type of an object ("blob", "tree", "commit", "tag"), or undefined when absent. */
  async objectType(sha: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{4,40}$/.test(sha)) return undefined;
    return this.#fromShas("type", [sha], async () => {
      try {
        return (await this.git(["cat-file", "-t", sha])).toString().trim();
      } catch (error) {
        if (error instanceof GitCommandError) return undefined;
        throw error;
      }
    });
  }

  /** Reads the folder's files into a tree (as `git add -A` would) and returns the tree sha. */
  async writeTreeFromFolder(folder: string): Promise<string> {
    const indexDir = await mkdtemp(join(tmpdir(), "sim-index-"));
    try {
      const env = { GIT_INDEX_FILE: join(indexDir, "index") };
      await runGit(["--git-dir", this.gitDir, "--work-tree", folder, "add", "-A", "."], { env, cwd: folder });
      return (await this.git(["write-tree"], { env })).toString().trim();
    } finally {
      await rm(indexDir, { recursive: true, force: true });
    }
  }

  /**
   * Builds a tree from `changes`, on top of `baseTree` when given (GitHub's create-tree rules:
   * paths may hold slashes, `sha: null` removes a path).
   */
  async writeTree(baseTree: string | undefined, changes: TreeChange[]): Promise<string> {
    const indexDir = await mkdtemp(join(tmpdir(), "sim-index-"));
    try {
      const env = { GIT_INDEX_FILE: join(indexDir, "index") };
      if (baseTree) await this.git(["read-tree", baseTree], { env });
      else await this.git(["read-tree", "--empty"], { env });
      for (const change of changes) {
        const staged = (await this.git(["ls-files", "-z", "--stage"], { env })).toString();
        const under = staged
          .split("\0")
          .filter(Boolean)
          .map((line) => line.slice(line.indexOf("\t") + 1))
          .filter((path) => path === change.path || path.startsWith(`${change.path}/`));
        if (under.length > 0) {
          const removal = under.map((path) => `0 ${ZERO_SHA}\t${path}\0`).join("");
          await this.git(["update-index", "-z", "--index-info"], { env, input: removal });
        }
        if (change.sha === null) continue;
        if (change.type === "tree") {
          await this.git(["read-tree", `--prefix=${change.path}/`, change.sha], { env });
        } else {
          const line = `${change.mode} ${change.sha}\t${change.path}\0`;
          await this.git(["update-index", "-z", "--add", "--index-info"], { env, input: line });
        }
      }
      return (await this.git(["write-tree"], { env })).toString().trim();
    } finally {
      await rm(indexDir, { recursive: true, force: true });
    }
  }

  /** The entries of a tree, recursively when asked (directories then listed too, as GitHub does). */
  async listTree(treeish: string, recursive: boolean): Promise<GitTreeEntry[]> {
    // `<full sha>` and `<full sha>:<path>` name one tree for good; a dispatch lists the workflows so.
    const [sha = "", path] = treeish.split(/:(.*)/s);
    const op = `ls-tree${recursive ? " -r" : ""}${path === undefined ? "" : `:${path}`}`;
    return this.#fromShas(op, [sha], () => this.#listTree(treeish, recursive));
  }

  async #listTree(treeish: string, recursive: boolean): Promise<GitTreeEntry[]> {
    const args = ["ls-tree", "-z", "--long", ...(recursive ? ["-r", "-t"] : []), treeish];
    const out = (await this.git(args)).toString();
    return out
      .split("\0")
      .filter(Boolean)
      .map((line) => {
        const tab = line.indexOf("\t");
        const [mode, type, sha, size] = line.slice(0, tab).split(/\s+/) as [
          string,
          GitTreeEntry["type"],
          string,
          string,
        ];
        return { mode, type, sha, path: line.slice(tab + 1), size: size === "-" ? undefined : Number(size) };
      });
  }

  /** The entry at `path` in a commit or tree, or undefined. */
  async entryAt(treeish: string, path: string): Promise<GitTreeEntry | undefined> {
    const key = FULL_SHA.test(treeish) ? `${treeish}:${path}` : undefined;
    return this.#entries.get(key, () => this.#entryAt(treeish, path));
  }

  async #entryAt(treeish: string, path: string): Promise<GitTreeEntry | undefined> {
    if (path === "") {
      const sha = await this.resolve(`${treeish}^{tree}`);
      return sha ? { mode: "040000", type: "tree", sha, path: "", size: undefined } : undefined;
    }
    const out = (await this.git(["ls-tree", "-z", "--long", treeish, "--", path])).toString();
    const line = out.split("\0").find(Boolean);
    if (!line) return undefined;
    const tab = line.indexOf("\t");
    const [mode, type, sha, size] = line.slice(0, tab).split(/\s+/) as [
      string,
      GitTreeEntry["type"],
      string,
      string,
    ];
    const entryPath = line.slice(tab + 1);
    if (entryPath !== path) return undefined;
    return { mode, type, sha, path: entryPath, size: size === "-" ? undefined : Number(size) };
  }

  /** Writes a commit object; returns its sha. */
  async writeCommit(input: {
    tree: string;
    parents: string[];
    message: string;
    author: GitIdentity;
    committer: GitIdentity;
  }): Promise<string> {
    const args = ["commit-tree", input.tree, ...input.parents.flatMap((p) => ["-p", p]), "-F", "-"];
    const env = {
      GIT_AUTHOR_NAME: input.author.name,
      GIT_AUTHOR_EMAIL: input.author.email,
      GIT_AUTHOR_DATE: gitDate(input.author.date),
      GIT_COMMITTER_NAME: input.committer.name,
      GIT_COMMITTER_EMAIL: input.committer.email,
      GIT_COMMITTER_DATE: gitDate(input.committer.date),
    };
    return (await this.git(args, { env, input: input.message })).toString().trim();
  }

  /** Reads a commit, or undefined when `sha` names no commit. */
  async readCommit(sha: string): Promise<GitCommit | undefined> {
    return this.#fromShas("commit", [sha], () => this.#readCommitWithGit(sha));
  }

  async #readCommitWithGit(sha: string): Promise<GitCommit | undefined> {
    if ((await this.objectType(sha)) !== "commit") return undefined;
    const raw = (await this.git(["cat-file", "commit", sha])).toString();
    const blank = raw.indexOf("\n\n");
    const headers = raw.slice(0, blank).split("\n");
    const parents: string[] = [];
    let tree = "";
    let author: GitIdentity | undefined;
    let committer: GitIdentity | undefined;
    for (const line of headers) {
      const space = line.indexOf(" ");
      const key = line.slice(0, space);
      const value = line.slice(space + 1);
      if (key === "tree") tree = value;
      else if (key === "parent") parents.push(value);
      else if (key === "author") author = parseIdentity(value);
      else if (key === "committer") committer = parseIdentity(value);
    }
    if (!author || !committer) throw new Error(`commit ${sha} has no author or committer`);
    const fullSha = (await this.resolve(sha)) as string;
    return { sha: fullSha, tree, parents, author, committer, message: blank < 0 ? "" : raw.slice(blank + 2) };
  }

  /** The sha a revision names, or undefined. */
  async resolve(rev: string): Promise<string | undefined> {
    const full = FULL_SHA.test(rev);
    const kept = this.#resolved.get(rev);
    if (kept !== undefined && (full || kept.generation === this.#refGeneration)) return kept.sha;
    const generation = this.#refGeneration;
    const sha = await this.#resolveWithGit(rev);
    // An abbreviated sha may become ambiguous, and a sha not found yet may be written later: those
    // are asked each time.
    const keep = !ABBREVIATED_SHA.test(rev) && (sha !== undefined || !SHA_PREFIX.test(rev));
    if (keep && generation === this.#refGeneration) {
      if (this.#resolved.size >= MEMO_LIMIT) this.#resolved.clear();
      this.#resolved.set(rev, { generation, sha });
    }
    return sha;
  }

  async #resolveWithGit(rev: string): Promise<string | undefined> {
    try {
      return (await this.git(["rev-parse", "--verify", "--quiet", "--end-of-options", rev]))
        .toString()
        .trim();
    } catch (error) {
      if (error instanceof GitCommandError) return undefined;
      throw error;
    }
  }

  /** Every ref under `prefix` (e.g. "refs/heads/"), with the sha it points at. */
  async listRefs(prefix: string): Promise<{ ref: string; sha: string; type: string }[]> {
    const out = (
      await this.git(["for-each-ref", "--format=%(refname)%00%(objectname)%00%(objecttype)", prefix])
    ).toString();
    return out
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [ref, sha, type] = line.split("\0") as [string, string, string];
        return { ref, sha, type };
      })
      .filter((r) => r.ref.startsWith(prefix));
  }

  /**
   * Points `ref` at `sha`. `expected` makes it a compare-and-swap (ZERO_SHA: must not exist);
   * returns false when the ref moved meanwhile.
   */
  async updateRef(ref: string, sha: string, expected?: string): Promise<boolean> {
    // Before and after: a resolution under way while the ref moves is not kept.
    this.#refGeneration++;
    try {
      await this.git(["update-ref", ref, sha, ...(expected === undefined ? [] : [expected])]);
      return true;
    } catch (error) {
      if (error instanceof GitCommandError) return false;
      throw error;
    } finally {
      this.#refGeneration++;
    }
  }

  /** Creates `ref` at `sha`; false when it already exists. */
  async createRef(ref: string, sha: string): Promise<boolean> {
    return this.updateRef(ref, sha, ZERO_SHA);
  }

  /** Deletes `ref`; false when it did not exist. */
  async deleteRef(ref: string): Promise<boolean> {
    if (!(await this.resolve(ref))) return false;
    this.#refGeneration++;
    try {
      await this.git(["update-ref", "-d", ref]);
    } finally {
      this.#refGeneration++;
    }
    return true;
  }

  /** Whether `ancestor` is reachable from `descendant`. */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    try {
      await this.git(["merge-base", "--is-ancestor", ancestor, descendant]);
      return true;
    } catch (error) {
      if (error instanceof GitCommandError && error.exitCode === 1) return false;
      throw error;
    }
  }

  /** The best common ancestor of two commits, or undefined. */
  async mergeBase(a: string, b: string): Promise<string | undefined> {
    return this.#fromShas("merge-base", [a, b], async () => {
      try {
        return (await this.git(["merge-base", a, b])).toString().trim();
      } catch (error) {
        if (error instanceof GitCommandError && error.exitCode === 1) return undefined;
        throw error;
      }
    });
  }

  /** Merges two commits' trees as `git merge` would; the tree sha, or undefined on conflict. */
  async mergeTrees(ours: string, theirs: string): Promise<string | undefined> {
    return this.#fromShas("merge-tree", [ours, theirs], async () => {
      try {
        const out = (
          await this.git(["merge-tree", "--write-tree", "--no-messages", ours, theirs])
        ).toString();
        return out.split("\n")[0]?.trim();
      } catch (error) {
        if (error instanceof GitCommandError && error.exitCode === 1) return undefined;
        throw error;
      }
    });
  }

  /** Commits reachable from `head` and not from `base`, oldest first. */
  async commitsBetween(base: string, head: string): Promise<string[]> {
    return this.#fromShas("rev-list", [base, head], async () => {
      const out = (await this.git(["rev-list", "--reverse", `${base}..${head}`])).toString();
      return out.split("\n").filter(Boolean);
    });
  }

  /** The paths `head` adds, removes and modifies against `base` (a rename is a removal and an addition, as a push payload lists it). */
  async changedPaths(
    base: string,
    head: string,
  ): Promise<{ added: string[]; removed: string[]; modified: string[] }> {
    return this.#fromShas("paths", [base, head], async () => {
      const out = (await this.git(["diff", "--name-status", "-z", "--no-renames", base, head])).toString();
      const fields = out.split("\0");
      const paths = { added: [] as string[], removed: [] as string[], modified: [] as string[] };
      for (let i = 0; i + 1 < fields.length; i += 2) {
        const [code, path = ""] = [fields[i], fields[i + 1]];
        (code === "A" ? paths.added : code === "D" ? paths.removed : paths.modified).push(path);
      }
      return paths;
    });
  }

  /** The files changed from `base` to `head`, with line counts and patches. */
  async diff(base: string, head: string): Promise<DiffFile[]> {
    return this.#fromShas("diff", [base, head], () => this.#diffWithGit(base, head));
  }

  async #diffWithGit(base: string, head: string): Promise<DiffFile[]> {
    const status = (await this.git(["diff", "--name-status", "-z", "-M", base, head])).toString().split("\0");
    const numstat = (await this.git(["diff", "--numstat", "-z", "-M", base, head])).toString();
    const counts = parseNumstat(numstat);
    const files: DiffFile[] = [];
    for (let i = 0; i < status.length && status[i];) {
      const code = status[i++] as string;
      const renamed = code.startsWith("R");
      const previousFilename = renamed ? status[i++] : undefined;
      const filename = status[i++] as string;
      const kind = renamed ? "renamed" : code === "A" ? "added" : code === "D" ? "removed" : "modified";
      const [additions, deletions] = counts.get(filename) ?? [0, 0];
      const patchOut = (
        await this.git([
          "diff",
          "-M",
          base,
          head,
          "--",
          ...(previousFilename ? [previousFilename] : []),
          filename,
        ])
      ).toString();
      const hunk = patchOut.indexOf("\n@@");
      const entry = kind === "removed" ? undefined : await this.entryAt(head, filename);
      files.push({
        filename,
        previousFilename,
        status: kind,
        sha: entry?.sha ?? ZERO_SHA,
        additions,
        deletions,
        patch: hunk < 0 ? "" : patchOut.slice(hunk + 1).replace(/\n$/, ""),
      });
    }
    return files;
  }
}

function parseNumstat(out: string): Map<string, [number, number]> {
  const counts = new Map<string, [number, number]>();
  const parts = out.split("\0");
  for (let i = 0; i < parts.length && parts[i];) {
    const head = parts[i++] as string;
    const [added, deleted, name] = head.split("\t") as [string, string, string];
    // A rename prints an empty name, then the old and new paths as their own fields.
    let filename = name;
    if (name === "") {
      i++;
      filename = parts[i++] as string;
    }
    counts.set(filename, [added === "-" ? 0 : Number(added), deleted === "-" ? 0 : Number(deleted)]);
  }
  return counts;
}

function gitDate(date: Date): string {
  return `${Math.floor(date.getTime() / 1000)} +0000`;
}

function parseIdentity(value: string): GitIdentity {
  const m = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(value);
  if (!m) throw new Error(`unreadable git identity "${value}"`);
  return { name: m[1] as string, email: m[2] as string, date: new Date(Number(m[3]) * 1000) };
}

/** Runs the git CLI with a fixed environment (no user or system config, no prompts); returns stdout. */
export function runGit(
  args: string[],
  options: { input?: Buffer | string; env?: Record<string, string>; cwd?: string } = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      args,
      {
        cwd: options.cwd,
        encoding: "buffer",
        maxBuffer: 256 * 1024 * 1024,
        // A fixed environment without user or system config: results depend on the arguments.
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: tmpdir(),
          GIT_CONFIG_NOSYSTEM: "1",
          GIT_CONFIG_GLOBAL: "/dev/null",
          GIT_TERMINAL_PROMPT: "0",
          ...options.env,
        },
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const code = typeof error.code === "number" ? error.code : -1;
        reject(code === -1 ? error : new GitCommandError(args, code, stderr.toString()));
      },
    );
    child.stdin?.on("error", () => {});
    child.stdin?.end(options.input ?? "");
  });
}
