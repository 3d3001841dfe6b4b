package ai.dstack.core;

import java.util.Locale;

/**
 * Who may run jobs on the engine's own machine (fleet {@code local} of project {@code main}); the server's setting
 * {@code DSTACK_SERVER_LOCAL_FLEET}. Jobs there run as processes on the host, so the default serves only the people
 * who already own the server.
 */
public enum LocalFleetAccess {
    /** Runs of global admins in project {@code main} (the default). */
    ADMINS,
    /** Runs of any member of project {@code main}. */
    MEMBERS,
    /** No local fleet. */
    OFF;

    public static final String VARIABLE = "DSTACK_SERVER_LOCAL_FLEET";

    /** {@code admins}, {@code members}, {@code off} ({@code false} too); null or blank means the default. */
    public static LocalFleetAccess parse(String value) {
        if (value == null || value.isBlank()) {
            return ADMINS;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "admins", "true" -> ADMINS;
            case "members" -> MEMBERS;
            case "off", "false" -> OFF;
            default -> throw new IllegalArgumentException(VARIABLE + " is '" + value
                    + "': expected admins (the default), members or off");
        };
    }
}
