package ai.dstack.api.configuration;

/** A configuration that becomes a run: a task, a service or a dev environment. */
public interface RunConfiguration extends Configuration {
    /** Image, env, resources, volumes and the other fields all run configurations share. */
    RunBase base();

    /** Placement and lifecycle settings: backends, spot policy, retry, durations, ... */
    ProfileParams profile();

    @Override
    default String name() {
        return base().name();
    }
}
