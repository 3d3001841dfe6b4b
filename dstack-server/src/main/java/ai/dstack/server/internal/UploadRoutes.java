package ai.dstack.server.internal;

import ai.dstack.core.app.Operation;
import java.util.List;

/** Multipart uploads: a repo's code ({@code repos/upload_code}) and file archives ({@code files/*}). */
final class UploadRoutes {
    private UploadRoutes() {}

    static List<Route> all() {
        return List.of(
                new Route("/api/project/{project_name}/repos/upload_code", Operation.UPLOAD_CODE, Route.Body.MULTIPART,
                        call -> {
                            Upload upload = call.upload();
                            String repoId = upload.query().get("repo_id");
                            if (repoId == null) {
                                Problems problems = new Problems();
                                problems.add(List.of("query", "repo_id"), "missing", "Field required", null);
                                problems.throwIfAny();
                            }
                            upload.checkSize("Repo diff", "Use .gitignore to exclude large files from the repo.");
                            call.app().uploadCode(call.caller(), call.project(), repoId, upload.filename(),
                                    upload.content());
                            return null;
                        }),
                new Route("/api/files/upload_archive", Operation.UPLOAD_ARCHIVE, Route.Body.MULTIPART, call -> {
                    Upload upload = call.upload();
                    upload.checkSize("Archive", "Use .gitignore/.dstackignore to exclude large files.");
                    return call.app().uploadArchive(call.caller(), upload.filename(), upload.content());
                }),
                new Route("/api/files/get_archive_by_hash", Operation.GET_ARCHIVE_BY_HASH, Route.Body.REQUIRED, call -> {
                    String hash = call.body().string("hash");
                    call.body().done();
                    return call.app().getArchiveByHash(call.caller(), hash);
                }));
    }
}
