/**
 * A repository's pull request merge settings, keyed as GitHub's REST API names them
 * (`repos/get` shows them, `repos/update` changes them).
 */
export interface MergeSettings {
  allow_merge_commit: boolean;
  allow_squash_merge: boolean;
  allow_rebase_merge: boolean;
  allow_auto_merge: boolean;
  allow_update_branch: boolean;
  delete_branch_on_merge: boolean;
  squash_merge_commit_title: "PR_TITLE" | "COMMIT_OR_PR_TITLE";
  squash_merge_commit_message: "PR_BODY" | "COMMIT_MESSAGES" | "BLANK";
  merge_commit_title: "PR_TITLE" | "MERGE_MESSAGE";
  merge_commit_message: "PR_BODY" | "PR_TITLE" | "BLANK";
}

/** What a new repository on GitHub starts with. */
export const DEFAULT_MERGE_SETTINGS: MergeSettings = {
  allow_merge_commit: true,
  allow_squash_merge: true,
  allow_rebase_merge: true,
  allow_auto_merge: false,
  allow_update_branch: false,
  delete_branch_on_merge: false,
  squash_merge_commit_title: "COMMIT_OR_PR_TITLE",
  squash_merge_commit_message: "COMMIT_MESSAGES",
  merge_commit_title: "MERGE_MESSAGE",
  merge_commit_message: "PR_TITLE",
};

/** The settings' keys, for routes that read or write them. */
export const MERGE_SETTING_KEYS = Object.keys(DEFAULT_MERGE_SETTINGS) as (keyof MergeSettings)[];
