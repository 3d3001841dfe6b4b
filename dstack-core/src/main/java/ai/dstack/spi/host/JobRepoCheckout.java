package ai.dstack.spi.host;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * A remote Git repo the host clones into a job's working directory before the job starts, as dstack's runner does:
 * clone {@code cloneUrl} (its {@code branch}, or the default one), check out {@code hash}, apply the uploaded diff
 * of the user's uncommitted changes, and set the committer identity. {@link #toString()} hides the secrets.
 *
 * <p>Credentials never reach a command line or a log: {@link #script()} writes them to files in a private directory
 * inside the job's directory, which git reads through {@code GIT_ASKPASS} or {@code GIT_SSH_COMMAND}, and removes
 * that directory when the clone is done. The script itself must reach bash through a file or standard input.
 *
 * @param path where, relative to the job's work directory ({@code ""} for the directory itself); must stay inside it
 * @param cloneUrl what {@code git clone} takes (https, http, ssh, scp-like or file URLs)
 * @param branch null for the remote's default branch
 * @param hash null for the branch head
 * @param oauthToken the password of an https clone, or null
 * @param privateKey the private key of an ssh clone, or null
 * @param diff a {@code git diff --binary} to apply on top of {@code hash}; empty for none
 * @param userName the Git {@code user.name} set in the clone, or null
 * @param userEmail the Git {@code user.email} set in the clone, or null
 * @param singleBranch dstack's {@code single_branch}: clone only {@code branch} (or the default branch) with
 *     {@code git clone --single-branch}
 */
public record JobRepoCheckout(String path, String cloneUrl, String branch, String hash, String oauthToken,
        String privateKey, byte[] diff, String userName, String userEmail, boolean singleBranch) {

    /** The exit code of {@link #script()} when the checkout fails; its standard error says why. */
    public static final int FAILED = 13;

    /** The private directory, inside the job's directory, that holds the credentials while git runs. */
    static final String CREDS_DIR = "git-creds";

    public JobRepoCheckout {
        Objects.requireNonNull(path, "path is null");
        Objects.requireNonNull(cloneUrl, "cloneUrl is null");
        if (path.startsWith("/") || List.of(path.split("/")).contains("..")) {
            throw new IllegalArgumentException("repo path '" + path + "' must be relative to the job's working"
                    + " directory and stay inside it");
        }
        if (cloneUrl.isBlank() || cloneUrl.startsWith("-")) {
            throw new IllegalArgumentException("clone URL '" + cloneUrl + "' is not a Git URL");
        }
        if (hash != null && !hash.matches("[0-9a-fA-F]{4,64}")) {
            throw new IllegalArgumentException("repo hash '" + hash + "' is not a Git commit hash");
        }
        if (branch != null && (branch.isBlank() || branch.startsWith("-"))) {
            throw new IllegalArgumentException("repo branch '" + branch + "' is not a branch name");
        }
        diff = diff == null ? new byte[0] : diff.clone();
    }

    /** A checkout that clones all branches. */
    public JobRepoCheckout(String path, String cloneUrl, String branch, String hash, String oauthToken,
            String privateKey, byte[] diff, String userName, String userEmail) {
        this(path, cloneUrl, branch, hash, oauthToken, privateKey, diff, userName, userEmail, false);
    }

    @Override
    public byte[] diff() {
        return diff.clone();
    }

    /**
     * A bash script, run in the job's directory, that leaves the checked-out repo (with the diff applied) at
     * {@code workdir/<path>}; it exits with {@link #FAILED} and a reason on standard error when any step fails.
     */
    public String script() {
        String relative = path.replaceAll("^(\\./)+|/+$", "");
        String target = ShellJobProtocol.WORK_DIR + (relative.isEmpty() || relative.equals(".") ? "" : "/" + relative);
        StringBuilder s = new StringBuilder("set -u\numask 077\n")
                .append("fail() { echo \"$1\" >&2; exit ").append(FAILED).append("; }\n")
                .append("command -v git >/dev/null 2>&1 || { echo 'cloning the repo needs git on the host, and there is"
                        + " none on PATH' >&2; exit ").append(FAILED).append("; }\n")
                .append("creds=\"$PWD/").append(CREDS_DIR).append("\"\n")
                .append("rm -rf \"$creds\" && mkdir -m 700 \"$creds\" || { echo 'cannot create '\"$creds\" >&2; exit ")
                .append(FAILED).append("; }\n")
                .append("trap 'rm -rf \"$creds\"' EXIT\n")
                .append("export GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=/bin/false SSH_ASKPASS=/bin/false\n")
                .append("export GIT_SSH_COMMAND='ssh -o BatchMode=yes -o StrictHostKeyChecking=no"
                        + " -o UserKnownHostsFile=/dev/null'\n");
        if (oauthToken != null) {
            s.append(writeSecret("token", oauthToken))
                    .append("cat > \"$creds/askpass\" <<DSTACK_ASKPASS_EOF || fail 'cannot write the credentials helper'\n")
                    .append("#!/bin/sh\ncase \"\\$1\" in Username*) echo oauth2 ;; *) cat '$creds/token' ;; esac\n")
                    .append("DSTACK_ASKPASS_EOF\n")
                    .append("chmod 700 \"$creds/askpass\" && export GIT_ASKPASS=\"$creds/askpass\"\n");
        }
        if (privateKey != null) {
            s.append(writeSecret("key", privateKey.endsWith("\n") ? privateKey : privateKey + "\n"))
                    .append("export GIT_SSH_COMMAND=\"ssh -i $creds/key -o IdentitiesOnly=yes -o BatchMode=yes")
                    .append(" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null\"\n");
        }
        s.append("target=").append(ShellJobProtocol.shellQuote(target)).append('\n')
                .append("url=").append(ShellJobProtocol.shellQuote(cloneUrl)).append('\n')
                .append("branch=").append(ShellJobProtocol.shellQuote(branch == null ? "" : branch)).append('\n')
                .append("rev=").append(ShellJobProtocol.shellQuote(hash == null ? "" : hash)).append('\n')
                .append("mkdir -p \"$target\" || fail \"cannot create the repo directory $target\"\n")
                .append("out=$(git -c credential.helper= clone --quiet").append(singleBranch ? " --single-branch" : "")
                .append(" ${branch:+--branch \"$branch\"} -- \"$url\"")
                .append(" \"$target\" </dev/null 2>&1) || fail \"cannot clone $url${branch:+ (branch $branch)}: $out\"\n")
                .append("cd \"$target\" || fail \"the clone of $url is missing\"\n")
                .append("if [ -n \"$rev\" ]; then\n")
                .append("  out=$(git checkout --quiet --detach \"$rev\" </dev/null 2>&1) || fail \"cannot check out $rev of $url")
                .append("${branch:+ (branch $branch)}: $out\"\nfi\n");
        if (diff.length > 0) {
            s.append(writeSecret("diff", new String(diff, StandardCharsets.ISO_8859_1), true))
                    .append("out=$(git apply --whitespace=nowarn \"$creds/diff\" </dev/null 2>&1) || fail \"cannot apply the")
                    .append(" uncommitted changes (the uploaded diff) on ${rev:-the head of $url}: $out\"\n");
        }
        if (userName != null) {
            s.append("git config user.name ").append(ShellJobProtocol.shellQuote(userName)).append('\n');
        }
        if (userEmail != null) {
            s.append("git config user.email ").append(ShellJobProtocol.shellQuote(userEmail)).append('\n');
        }
        return s.append("exit 0\n").toString();
    }

    private static String writeSecret(String name, String value) {
        return writeSecret(name, value, false);
    }

    /** A base64 here-document, so that no content can end it early; {@code latin1}: the bytes as they are. */
    private static String writeSecret(String name, String value, boolean latin1) {
        byte[] bytes = value.getBytes(latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        return "base64 -d > \"$creds/" + name + "\" <<'DSTACK_SECRET_EOF' || fail 'cannot write " + name + "'\n"
                + Base64.getMimeEncoder(76, new byte[] {'\n'}).encodeToString(bytes) + "\nDSTACK_SECRET_EOF\n";
    }

    @Override
    public String toString() {
        return "JobRepoCheckout[path=" + path + ", cloneUrl=" + cloneUrl + ", branch=" + branch + ", hash=" + hash
                + ", oauthToken=" + (oauthToken == null ? null : "***") + ", privateKey="
                + (privateKey == null ? null : "***") + ", diff=" + diff.length + " bytes, singleBranch=" + singleBranch + "]";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof JobRepoCheckout o && path.equals(o.path) && cloneUrl.equals(o.cloneUrl)
                && Objects.equals(branch, o.branch) && Objects.equals(hash, o.hash)
                && Objects.equals(oauthToken, o.oauthToken) && Objects.equals(privateKey, o.privateKey)
                && java.util.Arrays.equals(diff, o.diff) && Objects.equals(userName, o.userName)
                && Objects.equals(userEmail, o.userEmail) && singleBranch == o.singleBranch;
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, cloneUrl, branch, hash, java.util.Arrays.hashCode(diff));
    }
}
