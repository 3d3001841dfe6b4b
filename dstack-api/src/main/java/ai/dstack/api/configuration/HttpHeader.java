package ai.dstack.api.configuration;

/** An HTTP header sent by a probe. */
public record HttpHeader(String name, String value) {}
