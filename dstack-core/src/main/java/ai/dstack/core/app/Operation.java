package ai.dstack.core.app;

import static ai.dstack.core.app.Need.AUTHENTICATED;
import static ai.dstack.core.app.Need.GLOBAL_ADMIN;
import static ai.dstack.core.app.Need.NOTHING;
import static ai.dstack.core.app.Need.PROJECT_ADMIN;
import static ai.dstack.core.app.Need.PROJECT_MANAGER;
import static ai.dstack.core.app.Need.PROJECT_MANAGER_OR_PUBLIC;
import static ai.dstack.core.app.Need.PROJECT_MEMBER;
import static ai.dstack.core.app.Need.PROJECT_MEMBER_OR_PUBLIC;
import static ai.dstack.core.app.Need.PROJECT_SSH_FLEET_MANAGER;

/**
 * Every operation of {@link DstackApp}, with the permission it needs: the one table of who may do what. Each
 * method of the application layer checks its own entry; a REST adapter may ask for the same check earlier
 * ({@link DstackApp#authorize}) to answer 403/404 before it reads the body, as dstack does.
 */
public enum Operation {
    SERVER_INFO(NOTHING),
    LIST_BACKEND_TYPES(NOTHING),

    LIST_USERS(AUTHENTICATED),
    GET_MY_USER(AUTHENTICATED),
    GET_USER(AUTHENTICATED),
    CREATE_USER(GLOBAL_ADMIN),
    UPDATE_USER(GLOBAL_ADMIN),
    REFRESH_TOKEN(AUTHENTICATED),
    REFRESH_SSH_KEY(AUTHENTICATED),
    DELETE_USERS(GLOBAL_ADMIN),
    LIST_PUBLIC_KEYS(AUTHENTICATED),
    ADD_PUBLIC_KEY(AUTHENTICATED),
    DELETE_PUBLIC_KEYS(AUTHENTICATED),

    LIST_PROJECTS(AUTHENTICATED),
    LIST_PROJECTS_WITHOUT_FLEETS(AUTHENTICATED),
    CREATE_PROJECT(AUTHENTICATED),
    DELETE_PROJECTS(AUTHENTICATED),
    GET_PROJECT(PROJECT_MEMBER_OR_PUBLIC),
    UPDATE_PROJECT(PROJECT_ADMIN),
    SET_MEMBERS(PROJECT_MANAGER),
    ADD_MEMBERS(PROJECT_MANAGER_OR_PUBLIC),
    REMOVE_MEMBERS(PROJECT_MEMBER),
    /** Part of adding or setting members: giving a project admin another role (a manager may not demote one). */
    CHANGE_PROJECT_ADMIN_ROLES(PROJECT_ADMIN),

    LIST_RUNS(AUTHENTICATED),
    GET_RUN(PROJECT_MEMBER),
    GET_RUN_PLAN(PROJECT_MEMBER),
    APPLY_RUN(PROJECT_MEMBER),
    STOP_RUNS(PROJECT_MEMBER),
    DELETE_RUNS(PROJECT_MEMBER),
    POLL_LOGS(PROJECT_MEMBER),
    GET_JOB_METRICS(PROJECT_MEMBER),
    LIST_GPUS(PROJECT_MEMBER),
    /** Calling a service that asks for auth (or a project's models) through the server's proxy. */
    USE_SERVICES(PROJECT_MEMBER),

    /** The route needs a manager; the secrets service then needs dstack's {@code can_manage_secrets}. */
    LIST_SECRETS(PROJECT_MANAGER),
    GET_SECRET(PROJECT_MANAGER),
    SET_SECRET(PROJECT_MANAGER),
    DELETE_SECRETS(PROJECT_MANAGER),

    LIST_REPOS(PROJECT_MEMBER),
    GET_REPO(PROJECT_MEMBER),
    INIT_REPO(PROJECT_MEMBER),
    DELETE_REPOS(PROJECT_MEMBER),
    UPLOAD_CODE(PROJECT_MEMBER),
    UPLOAD_ARCHIVE(AUTHENTICATED),
    GET_ARCHIVE_BY_HASH(AUTHENTICATED),

    LIST_ALL_FLEETS(AUTHENTICATED),
    LIST_FLEETS(PROJECT_MEMBER),
    GET_FLEET(PROJECT_MEMBER),
    GET_FLEET_PLAN(PROJECT_MEMBER),
    APPLY_FLEET(PROJECT_MEMBER),
    DELETE_FLEETS(PROJECT_MEMBER),
    DELETE_FLEET_INSTANCES(PROJECT_MEMBER),
    /** Part of applying or deleting an SSH fleet (or its instances): dstack's {@code can_manage_ssh_fleets}. */
    MANAGE_SSH_FLEETS(PROJECT_SSH_FLEET_MANAGER),
    /**
     * Part of a fleet's plan or apply: naming a key file on the server's own machine ({@code identity_file} without
     * the key's contents), which the server would read: its own keys, or probes of what exists.
     */
    READ_SERVER_KEY_FILES(GLOBAL_ADMIN),
    LIST_INSTANCES(AUTHENTICATED),
    GET_INSTANCE(PROJECT_MEMBER),
    GET_INSTANCE_HEALTH_CHECKS(PROJECT_MEMBER),

    CREATE_BACKEND(PROJECT_ADMIN),
    UPDATE_BACKEND(PROJECT_ADMIN),
    DELETE_BACKENDS(PROJECT_ADMIN),
    GET_BACKEND(PROJECT_ADMIN),

    LIST_ALL_VOLUMES(AUTHENTICATED),
    LIST_VOLUMES(PROJECT_MEMBER),
    GET_VOLUME(PROJECT_MEMBER),
    CREATE_VOLUME(PROJECT_MEMBER),
    DELETE_VOLUMES(PROJECT_MEMBER),
    LIST_EXPORTS(PROJECT_MEMBER),
    CHANGE_EXPORT(PROJECT_ADMIN),
    DELETE_EXPORT(PROJECT_ADMIN),
    LIST_IMPORTS(PROJECT_MEMBER),
    DELETE_IMPORT(PROJECT_ADMIN),
    LIST_TEMPLATES(PROJECT_MEMBER),
    LIST_EVENTS(AUTHENTICATED);

    private final Need need;

    Operation(Need need) {
        this.need = need;
    }

    public Need need() {
        return need;
    }
}
