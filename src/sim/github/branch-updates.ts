import { GitHubError } from "./github-error.ts";
import { assertPushAllowed } from "./merge-queue/push-rules.ts";
import type { Actor } from "./sim-events.ts";
import type { SimRepo, SimWorld } from "./world.ts";

const ZERO_SHA = "0000000000000000000000000000000000000000";

/**
 * Moves a ref the way a push does and announces it: `push` (plus `create` for a new branch),
 * and `pull_request.synchronize` for open pull requests whose head is the branch. With
 * `expectedOld` the move is a compare-and-swap; a lost race is a 409. The branch's rulesets
 * apply unless `asGitHub` (GitHub's own moves: the merge queue advancing a base).
 */
export async function moveRef(
  world: SimWorld,
  repo: SimRepo,
  ref: string,
  sha: string,
  actor: Actor,
  expectedOld?: string,
  asGitHub = false,
): Promise<void> {
  const before = (await repo.git.resolve(ref)) ?? ZERO_SHA;
  if (expectedOld !== undefined && before !== expectedOld)
    throw new GitHubError(409, `Reference ${ref} moved while it was being updated`);
  if (!asGitHub) await assertPushAllowed(repo, ref, before, sha, actor);
  if (!(await repo.git.updateRef(ref, sha, before)))
    throw new GitHubError(409, `Reference ${ref} moved while it was being updated`);
  const now = world.clock.now();
  repo.pushedAt = now;
  const branch = ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : undefined;
  if (before === ZERO_SHA)
    world.emit(
      { name: "create", repository: repo.fullName, ref: branch ?? ref, refType: branch ? "branch" : "tag" },
      actor,
    );
  world.emit({ name: "push", repository: repo.fullName, ref, before, after: sha }, actor);
  if (!branch) return;
  for (const pull of repo.pulls.values()) {
    const issue = repo.issues.get(pull.number);
    if (pull.head !== branch || issue?.state !== "open" || pull.headSha === sha) continue;
    const previous = pull.headSha;
    pull.headSha = sha;
    if (issue) issue.updatedAt = now;
    world.emit(
      {
        name: "pull_request",
        action: "synchronize",
        repository: repo.fullName,
        number: pull.number,
        before: previous,
        after: sha,
      },
      actor,
    );
  }
}

/**
 * Deletes a branch or tag ref and announces it (`delete` and a `push` to the zero sha); the
 * branch's rulesets apply unless `asGitHub`.
 */
export async function deleteRef(
  world: SimWorld,
  repo: SimRepo,
  ref: string,
  actor: Actor,
  asGitHub = false,
): Promise<boolean> {
  const before = await repo.git.resolve(ref);
  if (!before) return false;
  if (!asGitHub) await assertPushAllowed(repo, ref, before, ZERO_SHA, actor);
  if (!(await repo.git.deleteRef(ref))) return false;
  const branch = ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : undefined;
  world.emit(
    { name: "delete", repository: repo.fullName, ref: branch ?? ref, refType: branch ? "branch" : "tag" },
    actor,
  );
  world.emit({ name: "push", repository: repo.fullName, ref, before, after: ZERO_SHA }, actor);
  return true;
}
