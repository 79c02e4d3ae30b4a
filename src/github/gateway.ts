import type { ProbotOctokit } from "probot";
import type { CheckAnnotation } from "../core/gate.ts";
import type { AgentMerge, AllowedMergeMethods } from "../core/merge-readiness.ts";

/** The authenticated Octokit the gateway talks through (an installation's, from Probot). */
export type GatewayOctokit = InstanceType<typeof ProbotOctokit>;

/** A repository the gateway acts on. */
export interface RepoRef {
  owner: string;
  repo: string;
}

/** A permission level as the collaborator permission API reports it (maintain shows as write). */
export type RepoPermission = "admin" | "write" | "read" | "none";

/** A workflow run as far as the app cares. */
export interface WorkflowRunInfo {
  id: number;
  status: string | null;
  conclusion: string | null;
  htmlUrl: string;
  displayTitle: string;
  createdAt: string;
}

/** An issue as far as the app cares. */
export interface IssueInfo {
  number: number;
  state: string;
  title: string;
  body: string;
  labels: string[];
  isPullRequest: boolean;
  /** How many comments it has. */
  comments: number;
}

/** An issue comment as far as the app cares. */
export interface CommentInfo {
  id: number;
  body: string;
  authorType: string | null;
}

/** What a workflow_dispatch with return_run_details answers. */
export interface DispatchedRun {
  workflowRunId: number;
  runUrl: string;
  htmlUrl: string;
}

/** A file read from the default branch, or null when absent. */
export interface RepoFile {
  path: string;
  text: string;
  sha: string;
}

/** A check run on a commit as the gateway lists it. */
export interface CheckRunInfo {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
}

/** A pull request as far as the app cares, as the REST API, its lists and webhook payloads give it. */
export interface PullInfo {
  number: number;
  node_id: string;
  state: string;
  merged: boolean;
  body: string | null;
  head: { ref: string; sha: string; repo: { full_name: string } | null };
  base: { ref: string };
}

/** The answer to a conditional request: unchanged since the ETag, or the new value and ETag. */
export type Conditional<T> = { changed: false } | { changed: true; value: T; etag: string | null };

/**
 * GitHub requests counted per task (`owner/repo#issue`; requests for no task count under the
 * repository). One counter serves the whole app, so a task's count spans every event it took.
 */
export class RequestCounter {
  readonly #counts = new Map<string, number>();

  /** Adds one request for a task (or the repository, when `issueNumber` is null). */
  add(repo: RepoRef, issueNumber: number | null): void {
    const key = `${repo.owner}/${repo.repo}${issueNumber === null ? "" : `#${issueNumber}`}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  /** Requests made so far for a task. */
  forTask(repo: string, issueNumber: number): number {
    return this.#counts.get(`${repo}#${issueNumber}`) ?? 0;
  }

  /** Every count so far, by task or repository. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }
}

function status(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "status" in error && typeof error.status === "number"
    ? error.status
    : undefined;
}

/**
 * Every GitHub call the app makes, typed, for one repository. It counts its requests so a handler can
 * charge them to the task it served (the installation's 5,000 requests an hour are shared by all tasks).
 */
export class GitHubGateway {
  readonly #octokit: GatewayOctokit;
  readonly #repo: RepoRef;
  readonly #counter: RequestCounter;
  readonly #checkRuns = new Map<string, Promise<CheckRunInfo[]>>();
  #requests = 0;

  constructor(octokit: GatewayOctokit, repo: RepoRef, counter: RequestCounter = new RequestCounter()) {
    this.#octokit = octokit;
    this.#repo = repo;
    this.#counter = counter;
  }

  /** The repository this gateway acts on. */
  get repo(): RepoRef {
    return this.#repo;
  }

  /** How many requests this gateway has sent (304 answers included, though GitHub does not charge them). */
  get requestCount(): number {
    return this.#requests;
  }

  #count(task: number | null): void {
    this.#requests += 1;
    this.#counter.add(this.#repo, task);
  }

  async #call<T>(task: number | null, fn: () => Promise<T>): Promise<T> {
    this.#count(task);
    return fn();
  }

  /**
   * Reads a text file from the default branch: the file (null when it does not exist), its ETag,
   * and how long the answer may be used without asking again (`Cache-Control: max-age`); with
   * `etag`, a conditional request whose "unchanged" answer (304) costs no rate limit.
   */
  async readFile(
    path: string,
    etag?: string,
  ): Promise<Conditional<RepoFile | null> & { maxAgeSeconds: number }> {
    try {
      const response = await this.#call(null, () =>
        this.#octokit.rest.repos.getContent({
          ...this.#repo,
          path,
          ...(etag === undefined ? {} : { headers: { "if-none-match": etag } }),
        }),
      );
      const { data } = response;
      if (Array.isArray(data) || data.type !== "file" || !("content" in data))
        throw new Error(`${path} in ${this.#repo.owner}/${this.#repo.repo} is not a file`);
      return {
        changed: true,
        etag: response.headers.etag ?? null,
        value: { path, text: Buffer.from(data.content, "base64").toString("utf8"), sha: data.sha },
        maxAgeSeconds: maxAge(response.headers["cache-control"]),
      };
    } catch (error) {
      const headers = (error as { response?: { headers?: Record<string, string | undefined> } }).response
        ?.headers;
      const maxAgeSeconds = maxAge(headers?.["cache-control"]);
      if (status(error) === 304) return { changed: false, maxAgeSeconds };
      if (status(error) === 404) return { changed: true, etag: null, value: null, maxAgeSeconds };
      throw error;
    }
  }

  /** The issue's state, labels, text and comment count. */
  async getIssue(issueNumber: number): Promise<IssueInfo> {
    const { data } = await this.#call(issueNumber, () =>
      this.#octokit.rest.issues.get({
        ...this.#repo,
        issue_number: issueNumber,
      }),
    );
    return {
      number: data.number,
      state: data.state,
      title: data.title,
      body: data.body ?? "",
      labels: data.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))),
      isPullRequest: data.pull_request !== undefined,
      comments: data.comments,
    };
  }

  /** Whether a task's pull request has been merged. */
  async isPullRequestMerged(issueNumber: number, pullNumber: number): Promise<boolean> {
    try {
      const { data } = await this.#call(issueNumber, () =>
        this.#octokit.rest.pulls.get({
          ...this.#repo,
          pull_number: pullNumber,
        }),
      );
      return data.merged;
    } catch (error) {
      if (status(error) === 404) return false;
      throw error;
    }
  }

  /** Posts a comment on an issue or pull request and returns its id. */
  async createComment(issueNumber: number, body: string): Promise<number> {
    const { data } = await this.#call(issueNumber, () =>
      this.#octokit.rest.issues.createComment({
        ...this.#repo,
        issue_number: issueNumber,
        body,
      }),
    );
    return data.id;
  }

  /** Replaces the body of a comment on an issue; false when the comment no longer exists. */
  async updateComment(issueNumber: number, commentId: number, body: string): Promise<boolean> {
    try {
      await this.#call(issueNumber, () =>
        this.#octokit.rest.issues.updateComment({
          ...this.#repo,
          comment_id: commentId,
          body,
        }),
      );
      return true;
    } catch (error) {
      if (status(error) === 404) return false;
      throw error;
    }
  }

  /** Deletes a comment on an issue; one already gone is not an error. */
  async deleteComment(issueNumber: number, commentId: number): Promise<void> {
    try {
      await this.#call(issueNumber, () =>
        this.#octokit.rest.issues.deleteComment({
          ...this.#repo,
          comment_id: commentId,
        }),
      );
    } catch (error) {
      if (status(error) !== 404) throw error;
    }
  }

  /** The first comment on an issue whose body contains `marker`, written by a bot (the app). */
  async findBotComment(issueNumber: number, marker: string): Promise<CommentInfo | null> {
    for await (const page of this.#octokit.paginate.iterator(this.#octokit.rest.issues.listComments, {
      ...this.#repo,
      issue_number: issueNumber,
      per_page: 100,
    })) {
      this.#count(issueNumber);
      for (const c of page.data)
        if (c.user?.type === "Bot" && c.body?.includes(marker))
          return { id: c.id, body: c.body, authorType: c.user.type };
    }
    return null;
  }

  /** Adds labels to an issue or pull request. */
  async addLabels(issueNumber: number, labels: string[]): Promise<void> {
    if (labels.length === 0) return;
    await this.#call(issueNumber, () =>
      this.#octokit.rest.issues.addLabels({
        ...this.#repo,
        issue_number: issueNumber,
        labels,
      }),
    );
  }

  /** Removes a label; a label that is not there is not an error. */
  async removeLabel(issueNumber: number, name: string): Promise<void> {
    try {
      await this.#call(issueNumber, () =>
        this.#octokit.rest.issues.removeLabel({
          ...this.#repo,
          issue_number: issueNumber,
          name,
        }),
      );
    } catch (error) {
      if (status(error) !== 404) throw error;
    }
  }

  /** Creates a label in the repository unless it exists. */
  async ensureLabel(name: string, color: string, description: string): Promise<void> {
    try {
      await this.#call(null, () =>
        this.#octokit.rest.issues.createLabel({
          ...this.#repo,
          name,
          color,
          description,
        }),
      );
    } catch (error) {
      if (status(error) !== 422) throw error;
    }
  }

  /** Puts a reaction (👀 is "eyes") on a comment of an issue or pull request. */
  async reactToComment(
    issueNumber: number,
    commentId: number,
    content: "eyes" | "+1" | "confused",
  ): Promise<void> {
    await this.#call(issueNumber, () =>
      this.#octokit.rest.reactions.createForIssueComment({
        ...this.#repo,
        comment_id: commentId,
        content,
      }),
    );
  }

  /** A user's permission on the repository. */
  async getPermission(username: string): Promise<RepoPermission> {
    try {
      const { data } = await this.#call(null, () =>
        this.#octokit.rest.repos.getCollaboratorPermissionLevel({
          ...this.#repo,
          username,
        }),
      );
      const p = data.permission;
      return p === "admin" || p === "write" || p === "read" ? p : "none";
    } catch (error) {
      // Someone who is not a collaborator (404) has no permission.
      if (status(error) === 404) return "none";
      throw error;
    }
  }

  /** The repository's default branch (workflow_dispatch runs the workflow file from there). */
  async getDefaultBranch(): Promise<string> {
    const { data } = await this.#call(null, () => this.#octokit.rest.repos.get({ ...this.#repo }));
    return data.default_branch;
  }

  /** Dispatches a task's workflow run and returns the run GitHub created for it (return_run_details). */
  async dispatchWorkflow(
    issueNumber: number,

    workflowFile: string,
    ref: string,
    inputs: Record<string, string>,
  ): Promise<DispatchedRun> {
    const response = await this.#call(issueNumber, () =>
      this.#octokit.request("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", {
        ...this.#repo,
        workflow_id: workflowFile,
        ref,
        inputs,
        return_run_details: true,
      }),
    );
    const data: unknown = response.data;
    if (
      response.status !== 200 ||
      typeof data !== "object" ||
      data === null ||
      !("workflow_run_id" in data) ||
      typeof data.workflow_run_id !== "number"
    )
      throw new Error(
        `workflow_dispatch of ${workflowFile} in ${this.#repo.owner}/${this.#repo.repo} answered ${response.status} ` +
          "without run details; GitHub Enterprise Server may be too old for return_run_details",
      );
    const details = data as {
      workflow_run_id: number;
      run_url?: string;
      html_url?: string;
    };
    return {
      workflowRunId: details.workflow_run_id,
      runUrl: details.run_url ?? "",
      htmlUrl: details.html_url ?? "",
    };
  }

  /** A task's workflow run, fetched conditionally: an unchanged run (304) costs no rate limit; null when gone. */
  async getWorkflowRun(
    issueNumber: number,
    runId: number,
    etag?: string,
  ): Promise<Conditional<WorkflowRunInfo> | null> {
    try {
      const response = await this.#call(issueNumber, () =>
        this.#octokit.rest.actions.getWorkflowRun({
          ...this.#repo,
          run_id: runId,
          ...(etag === undefined ? {} : { headers: { "if-none-match": etag } }),
        }),
      );
      const run = response.data;
      return {
        changed: true,
        etag: response.headers.etag ?? null,
        value: {
          id: run.id,
          status: run.status,
          conclusion: run.conclusion,
          htmlUrl: run.html_url,
          displayTitle: run.display_title,
          createdAt: run.created_at,
        },
      };
    } catch (error) {
      if (status(error) === 304) return { changed: false };
      if (status(error) === 404) return null;
      throw error;
    }
  }

  /** The workflow_dispatch runs of a workflow created at or after `since` (ISO time), newest first. */
  async listDispatchedRuns(workflowFile: string, since: string): Promise<WorkflowRunInfo[]> {
    const { data } = await this.#call(null, () =>
      this.#octokit.rest.actions.listWorkflowRunsForRepo({
        ...this.#repo,
        event: "workflow_dispatch",
        per_page: 100,
      }),
    );
    const path = `.github/workflows/${workflowFile}`;
    return data.workflow_runs
      .filter((run) => run.path.split("@")[0] === path && run.created_at >= since)
      .map((run) => ({
        id: run.id,
        status: run.status,
        conclusion: run.conclusion,
        htmlUrl: run.html_url,
        displayTitle: run.display_title,
        createdAt: run.created_at,
      }));
  }

  /** An issue's number and state, or null when there is no such issue (or it is not visible). */
  async findIssue(issueNumber: number): Promise<{ number: number; state: string } | null> {
    try {
      const { data } = await this.#call(null, () =>
        this.#octokit.rest.issues.get({
          ...this.#repo,
          issue_number: issueNumber,
        }),
      );
      return { number: data.number, state: data.state };
    } catch (error) {
      if (status(error) === 404 || status(error) === 410) return null;
      throw error;
    }
  }

  /** Closes a task's issue as completed. */
  async closeIssue(issueNumber: number): Promise<void> {
    await this.#call(issueNumber, () =>
      this.#octokit.rest.issues.update({
        ...this.#repo,
        issue_number: issueNumber,
        state: "closed",
        state_reason: "completed",
      }),
    );
  }

  /** The newest open or closed pull request whose head is `branch` in this repository; null when none. */
  async findPullRequest(issueNumber: number, branch: string): Promise<PullInfo | null> {
    const { data } = await this.#call(issueNumber, () =>
      this.#octokit.rest.pulls.list({
        ...this.#repo,
        head: `${this.#repo.owner}:${branch}`,
        state: "all",
        sort: "created",
        direction: "desc",
        per_page: 1,
      }),
    );
    const pull = data[0];
    // The list answers all a pull request's fields but `merged`, which its merge time tells.
    return pull === undefined ? null : { ...pull, merged: pull.merged_at !== null };
  }

  /** Requests reviews of a task's pull request from people (`login`) and teams (`org/team`). */
  async requestReviewers(
    issueNumber: number,
    pullNumber: number,
    reviewers: readonly string[],
  ): Promise<void> {
    if (reviewers.length === 0) return;
    const people = reviewers.filter((r) => !r.includes("/"));
    const teams = reviewers.filter((r) => r.includes("/")).map((r) => r.slice(r.indexOf("/") + 1));
    await this.#call(issueNumber, () =>
      this.#octokit.rest.pulls.requestReviewers({
        ...this.#repo,
        pull_number: pullNumber,
        reviewers: people,
        team_reviewers: teams,
      }),
    );
  }

  /**
   * Adds a task's pull request to the merge queue (GraphQL enqueuePullRequest), only while its
   * head is still `headSha`: a head that moved is not queued with work nobody checked.
   */
  async enqueuePullRequest(issueNumber: number, pull: { nodeId: string; headSha: string }): Promise<void> {
    await this.#call(issueNumber, () =>
      this.#octokit.graphql(
        "mutation($id: ID!, $head: GitObjectID) { enqueuePullRequest(input: { pullRequestId: $id, expectedHeadOid: $head }) { clientMutationId } }",
        { id: pull.nodeId, head: pull.headSha },
      ),
    );
  }

  /**
   * Turns on auto-merge for a task's pull request at `headSha` (GraphQL
   * enablePullRequestAutoMerge), for a branch without a merge queue, with `merge`'s method and
   * commit body (null: GitHub's defaults, a merge commit, which a repository may not allow).
   * GitHub refuses a pull request that can be merged now ("is in clean status"); `mergePull`
   * merges that one.
   */
  async enableAutoMerge(
    issueNumber: number,
    pull: { nodeId: string; headSha: string },
    merge: AgentMerge | null,
  ): Promise<void> {
    await this.#call(issueNumber, () =>
      this.#octokit.graphql(
        "mutation($id: ID!, $head: GitObjectID, $mergeMethod: PullRequestMergeMethod, $commitBody: String) { enablePullRequestAutoMerge(input: { pullRequestId: $id, expectedHeadOid: $head, mergeMethod: $mergeMethod, commitBody: $commitBody }) { clientMutationId } }",
        // A variable left out leaves the input to its default; an explicit null would not.
        // (Octokit keeps `method` for itself, so the variables take the inputs' names.)
        {
          id: pull.nodeId,
          head: pull.headSha,
          ...(merge === null ? {} : { mergeMethod: merge.method.toUpperCase() }),
          ...(merge?.message === undefined ? {} : { commitBody: merge.message }),
        },
      ),
    );
  }

  /** The merge methods the repository allows (its `allow_merge_commit`, `_squash_merge`, `_rebase_merge`). */
  async mergeMethods(issueNumber: number | null): Promise<AllowedMergeMethods> {
    const { data } = await this.#call(issueNumber, () => this.#octokit.rest.repos.get({ ...this.#repo }));
    return {
      merge: data.allow_merge_commit,
      squash: data.allow_squash_merge,
      rebase: data.allow_rebase_merge,
    };
  }

  /**
   * Merges a task's pull request now (REST), only while its head is `headSha`: a head that moved
   * is not merged with work nobody checked. `message` replaces the body of the commit GitHub
   * writes (merge or squash). GitHub's expected refusals are values: `head-moved` (409), and
   * `refused` (405: a rule of the base, a merge method the repository does not allow, not mergeable).
   */
  async mergePull(
    issueNumber: number,
    pullNumber: number,
    merge: { headSha: string } & AgentMerge,
  ): Promise<
    { outcome: "merged"; sha: string } | { outcome: "head-moved" } | { outcome: "refused"; message: string }
  > {
    try {
      const { data } = await this.#call(issueNumber, () =>
        this.#octokit.rest.pulls.merge({
          ...this.#repo,
          pull_number: pullNumber,
          sha: merge.headSha,
          merge_method: merge.method,
          ...(merge.message === undefined ? {} : { commit_message: merge.message }),
        }),
      );
      return { outcome: "merged", sha: data.sha };
    } catch (error) {
      if (status(error) === 409) return { outcome: "head-moved" };
      if (status(error) === 405) return { outcome: "refused", message: (error as Error).message };
      throw error;
    }
  }

  /** Whether a task's pull request is merged, in the merge queue or set to auto-merge, and its head (GraphQL). */
  async mergeState(
    issueNumber: number,
    pullNumber: number,
  ): Promise<{ merged: boolean; queued: boolean; autoMerge: boolean; headSha: string } | null> {
    const data = await this.#call(issueNumber, () =>
      this.#octokit.graphql<{
        repository: {
          pullRequest: {
            merged: boolean;
            isInMergeQueue: boolean;
            autoMergeRequest: { enabledAt: string | null } | null;
            headRefOid: string;
          } | null;
        } | null;
      }>(
        "query($owner: String!, $name: String!, $number: Int!) { repository(owner: $owner, name: $name) { pullRequest(number: $number) { merged isInMergeQueue autoMergeRequest { enabledAt } headRefOid } } }",
        { owner: this.#repo.owner, name: this.#repo.repo, number: pullNumber },
      ),
    );
    const pull = data.repository?.pullRequest;
    if (pull == null) return null;
    return {
      merged: pull.merged,
      queued: pull.isInMergeQueue,
      autoMerge: pull.autoMergeRequest !== null,
      headSha: pull.headRefOid,
    };
  }

  /** Takes a task's pull request out of the merge queue (GraphQL dequeuePullRequest). */
  async dequeuePullRequest(issueNumber: number, pullNumber: number): Promise<void> {
    const { data } = await this.#call(issueNumber, () =>
      this.#octokit.rest.pulls.get({ ...this.#repo, pull_number: pullNumber }),
    );
    await this.#call(issueNumber, () =>
      this.#octokit.graphql(
        "mutation($id: ID!) { dequeuePullRequest(input: { id: $id }) { clientMutationId } }",
        {
          id: data.node_id,
        },
      ),
    );
  }

  /** The rules that apply to a branch (rulesets): merge queue, required status checks, … */
  async branchRules(branch: string): Promise<{ type: string; parameters?: unknown }[]> {
    const { data } = await this.#call(null, () =>
      this.#octokit.rest.repos.getBranchRules({ ...this.#repo, branch, per_page: 100 }),
    );
    return data;
  }

  /**
   * The newest check run of each name on a commit, with its output (the first 100 names). Within
   * one gateway (one event) a commit's runs are listed once: what the gateway writes on it since
   * is added to what it listed, and a check that finishes meanwhile sends its own event.
   */
  async listCheckRuns(issueNumber: number | null, ref: string): Promise<CheckRunInfo[]> {
    const listed = this.#checkRuns.get(ref);
    if (listed !== undefined) return [...(await listed)];
    const listing = this.#call(issueNumber, () =>
      this.#octokit.rest.checks.listForRef({ ...this.#repo, ref, filter: "latest", per_page: 100 }),
    ).then(({ data }) =>
      data.check_runs.map((r) => ({
        id: r.id,
        name: r.name,
        status: r.status,
        conclusion: r.conclusion,
        title: r.output.title,
        summary: r.output.summary,
        text: r.output.text,
      })),
    );
    this.#checkRuns.set(ref, listing);
    listing.catch(() => this.#checkRuns.delete(ref));
    return [...(await listing)];
  }

  /** A check run's annotations (the first 100). */
  async listCheckAnnotations(
    issueNumber: number | null,
    checkRunId: number,
  ): Promise<
    { path: string; startLine: number | null; level: string | null; title: string | null; message: string }[]
  > {
    const { data } = await this.#call(issueNumber, () =>
      this.#octokit.rest.checks.listAnnotations({ ...this.#repo, check_run_id: checkRunId, per_page: 100 }),
    );
    return data.map((a) => ({
      path: a.path,
      startLine: a.start_line,
      level: a.annotation_level,
      title: a.title,
      message: a.message ?? "",
    }));
  }

  /** The inline comments of one pull request review (the first 100). */
  async listReviewComments(
    issueNumber: number,
    pullNumber: number,
    reviewId: number,
  ): Promise<{ path: string; line: number | null; body: string }[]> {
    const { data } = await this.#call(issueNumber, () =>
      this.#octokit.rest.pulls.listCommentsForReview({
        ...this.#repo,
        pull_number: pullNumber,
        review_id: reviewId,
        per_page: 100,
      }),
    );
    return data.map((c) => ({ path: c.path, line: c.line ?? null, body: c.body }));
  }

  /**
   * Merges the base branch into a pull request's branch ("Update branch"), only while its head is
   * `expectedHeadSha`. `updated` when GitHub accepted it; `conflict` when the merge does not
   * apply cleanly (or the head moved), which needs someone to resolve.
   */
  async updateBranch(
    issueNumber: number,
    pullNumber: number,
    expectedHeadSha: string,
  ): Promise<"updated" | "conflict"> {
    try {
      await this.#call(issueNumber, () =>
        this.#octokit.rest.pulls.updateBranch({
          ...this.#repo,
          pull_number: pullNumber,
          expected_head_sha: expectedHeadSha,
        }),
      );
      return "updated";
    } catch (error) {
      if (status(error) === 422) return "conflict";
      throw error;
    }
  }

  /** Cancels a task's workflow run; a run that already finished (409) is not an error. */
  async cancelWorkflowRun(issueNumber: number, runId: number): Promise<void> {
    try {
      await this.#call(issueNumber, () =>
        this.#octokit.rest.actions.cancelWorkflowRun({
          ...this.#repo,
          run_id: runId,
        }),
      );
    } catch (error) {
      if (status(error) !== 409) throw error;
    }
  }

  /** The files a pull request changes, with GitHub's patch of each (all pages). */
  async listPullFiles(
    issueNumber: number,
    pullNumber: number,
  ): Promise<{ filename: string; previous_filename?: string | undefined; patch?: string | undefined }[]> {
    this.#count(issueNumber);
    return this.#octokit.paginate(this.#octokit.rest.pulls.listFiles, {
      ...this.#repo,
      pull_number: pullNumber,
      per_page: 100,
    });
  }

  /** The commits of a pull request with their messages (GitHub lists at most 250). */
  async listPullCommits(
    issueNumber: number,
    pullNumber: number,
  ): Promise<{ sha: string; message: string; parents: string[] }[]> {
    this.#count(issueNumber);
    const commits = await this.#octokit.paginate(this.#octokit.rest.pulls.listCommits, {
      ...this.#repo,
      pull_number: pullNumber,
      per_page: 100,
    });
    return commits.map((c) => ({
      sha: c.sha,
      message: c.commit.message,
      parents: c.parents.map((p) => p.sha),
    }));
  }

  /**
   * Writes a completed check run on a commit: the first batch of annotations with the create
   * request, the rest in updates (GitHub takes at most 50 per request). Returns the run's id.
   */
  async writeCheckRun(
    issueNumber: number | null,
    run: {
      name: string;
      headSha: string;
      conclusion: "success" | "failure";
      title: string;
      summary: string;
      annotationBatches: readonly CheckAnnotation[][];
    },
  ): Promise<number> {
    const [first = [], ...rest] = run.annotationBatches;
    const output = { title: run.title, summary: run.summary };
    const { data } = await this.#call(issueNumber, () =>
      this.#octokit.rest.checks.create({
        ...this.#repo,
        name: run.name,
        head_sha: run.headSha,
        status: "completed",
        conclusion: run.conclusion,
        output: { ...output, annotations: [...first] },
      }),
    );
    for (const batch of rest)
      await this.#call(issueNumber, () =>
        this.#octokit.rest.checks.update({
          ...this.#repo,
          check_run_id: data.id,
          output: { ...output, annotations: [...batch] },
        }),
      );
    const listed = this.#checkRuns.get(run.headSha);
    if (listed !== undefined)
      this.#checkRuns.set(
        run.headSha,
        listed.then((runs) => [
          ...runs.filter((r) => r.name !== run.name),
          {
            id: data.id,
            name: run.name,
            status: "completed",
            conclusion: run.conclusion,
            title: run.title,
            summary: run.summary,
            text: null,
          },
        ]),
      );
    return data.id;
  }
  /** A pull request's state, head, base and body, as GitHub has them now. */
  async getPull(issueNumber: number | null, pullNumber: number): Promise<PullInfo> {
    const { data } = await this.#call(issueNumber, () =>
      this.#octokit.rest.pulls.get({ ...this.#repo, pull_number: pullNumber }),
    );
    return data;
  }
}

/** The seconds a response may be reused, from its Cache-Control header (0 when it says none or must not be stored). */
function maxAge(cacheControl: string | undefined): number {
  if (cacheControl === undefined || /\bno-(cache|store)\b/i.test(cacheControl)) return 0;
  const seconds = /\bmax-age=(\d+)/i.exec(cacheControl)?.[1];
  return seconds === undefined ? 0 : Number(seconds);
}
