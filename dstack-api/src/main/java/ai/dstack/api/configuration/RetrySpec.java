package ai.dstack.api.configuration;

/** {@code retry:} as written: either a flag ({@code retry: true}) or a {@link ProfileRetry} policy. */
public sealed interface RetrySpec permits RetryFlag, ProfileRetry {
    /** The retry policy this setting means, or null when retry is off. */
    ProfileRetry effective();
}
