package ai.dstack.api.configuration;

/** Any configuration a {@code .dstack.yml} file can hold. */
public interface Configuration {
    ConfigurationType type();

    /** The {@code name:} field, or {@code null} when the file gives none. */
    String name();
}
