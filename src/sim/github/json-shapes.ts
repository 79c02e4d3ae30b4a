import type { SimApp, SimInstallation, SimLabel, SimRepo, SimUser } from "./world.ts";

/** Where the server's API and "web pages" live; every url/html_url field points here. */
export interface SimUrls {
  api: string;
  html: string;
}

/** An ISO timestamp without milliseconds, as GitHub writes them. */
export function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The simple-user shape. */
export function userJson(urls: SimUrls, user: SimUser) {
  const api = `${urls.api}/users/${encodeURIComponent(user.login)}`;
  return {
    login: user.login,
    id: user.id,
    node_id: user.nodeId,
    avatar_url: `${urls.html}/avatars/u/${user.id}`,
    gravatar_id: "",
    url: api,
    html_url: `${urls.html}/${encodeURIComponent(user.login)}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: user.type,
    site_admin: false,
  };
}

/** The minimal-repository shape (the URL templates every repository shape carries). */
export function minimalRepoJson(urls: SimUrls, repo: SimRepo) {
  const api = repoApiUrl(urls, repo);
  return {
    id: repo.id,
    node_id: repo.nodeId,
    name: repo.name,
    full_name: repo.fullName,
    owner: userJson(urls, repo.owner),
    private: repo.private,
    html_url: `${urls.html}/${repo.fullName}`,
    description: null,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    hooks_url: `${api}/hooks`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
  };
}

/** The repository shape (as nested in pull requests and workflow runs). */
export function repoJson(urls: SimUrls, repo: SimRepo) {
  const openIssues = [...repo.issues.values()].filter((i) => i.state === "open").length;
  return {
    ...minimalRepoJson(urls, repo),
    clone_url: `${urls.html}/${repo.fullName}.git`,
    git_url: `${urls.html.replace(/^https?:/, "git:")}/${repo.fullName}.git`,
    ssh_url: `git@127.0.0.1:${repo.fullName}.git`,
    svn_url: `${urls.html}/${repo.fullName}`,
    mirror_url: null,
    homepage: null,
    language: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues: openIssues,
    open_issues_count: openIssues,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: repo.private ? "private" : "public",
    license: null,
    pushed_at: iso(repo.pushedAt),
    created_at: iso(repo.createdAt),
    updated_at: iso(repo.updatedAt),
    allow_forking: false,
    allow_squash_merge: repo.mergeSettings.allow_squash_merge,
    allow_merge_commit: repo.mergeSettings.allow_merge_commit,
    allow_rebase_merge: repo.mergeSettings.allow_rebase_merge,
    allow_auto_merge: repo.mergeSettings.allow_auto_merge,
    delete_branch_on_merge: repo.mergeSettings.delete_branch_on_merge,
    web_commit_signoff_required: false,
  };
}

/** The full-repository shape (GET /repos/{owner}/{repo}). */
export function fullRepoJson(urls: SimUrls, repo: SimRepo) {
  const settings = repo.mergeSettings;
  return {
    ...repoJson(urls, repo),
    network_count: 0,
    subscribers_count: 0,
    allow_update_branch: settings.allow_update_branch,
    use_squash_pr_title_as_default: settings.squash_merge_commit_title === "PR_TITLE",
    squash_merge_commit_title: settings.squash_merge_commit_title,
    squash_merge_commit_message: settings.squash_merge_commit_message,
    merge_commit_title: settings.merge_commit_title,
    merge_commit_message: settings.merge_commit_message,
  };
}

/** The label shape. */
export function labelJson(urls: SimUrls, repo: SimRepo, label: SimLabel) {
  return {
    id: label.id,
    node_id: label.nodeId,
    url: `${repoApiUrl(urls, repo)}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    description: label.description,
    color: label.color,
    default: false,
  };
}

/** The integration (GitHub App) shape. */
export function appJson(urls: SimUrls, app: SimApp) {
  return {
    id: app.id,
    slug: app.slug,
    node_id: app.nodeId,
    client_id: app.clientId,
    owner: userJson(urls, app.owner),
    name: app.name,
    description: null,
    external_url: `${urls.html}/apps/${app.slug}`,
    html_url: `${urls.html}/apps/${app.slug}`,
    created_at: iso(app.createdAt),
    updated_at: iso(app.createdAt),
    permissions: app.permissions,
    events: app.events,
  };
}

/** The installation shape. */
export function installationJson(urls: SimUrls, app: SimApp, installation: SimInstallation) {
  return {
    id: installation.id,
    account: userJson(urls, installation.account),
    repository_selection: "all",
    access_tokens_url: `${urls.api}/app/installations/${installation.id}/access_tokens`,
    repositories_url: `${urls.api}/installation/repositories`,
    html_url: `${urls.html}/settings/installations/${installation.id}`,
    app_id: app.id,
    app_slug: app.slug,
    target_id: installation.account.id,
    target_type: installation.account.type,
    permissions: app.permissions,
    events: app.events,
    created_at: iso(installation.createdAt),
    updated_at: iso(installation.createdAt),
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

/** The API URL of a repository. */
export function repoApiUrl(urls: SimUrls, repo: SimRepo): string {
  return `${urls.api}/repos/${repo.fullName}`;
}
