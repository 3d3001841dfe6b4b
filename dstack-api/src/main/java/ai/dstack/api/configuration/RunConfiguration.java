package ai.dstack.api.configuration;

/** A configuration that becomes a run: a task, a service or a dev environment. */
public interface RunConfiguration extends Configuration {
}
