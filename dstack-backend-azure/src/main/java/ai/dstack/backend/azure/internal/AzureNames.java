package ai.dstack.backend.azure.internal;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/** Azure's naming rules for what the backend creates: letters, digits and dashes, short enough for every type. */
final class AzureNames {
    private AzureNames() {}

    /** A VM name from dstack's name: a letter first, then {@code [a-z0-9-]}, a random suffix, at most 60. */
    static String vmName(String dstackName) {
        String base = dstackName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("-+", "-");
        if (base.isEmpty() || !Character.isLetter(base.charAt(0))) {
            base = "dstack-" + base;
        }
        if (base.length() > 50) {
            base = base.substring(0, 50);
        }
        base = base.replaceAll("-+$", "");
        return base + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36, 36 * 36 * 36 * 36), 36);
    }

    static String nic(String vm) {
        return vm + "-nic";
    }

    static String publicIp(String vm) {
        return vm + "-ip";
    }

    /**
     * The name of a thing made once per project and location (network, security group), or of the project's
     * resource group when {@code what} is null.
     */
    static String projectName(String project, String what) {
        String name = ("dstack-" + project.toLowerCase(Locale.ROOT)).replaceAll("[^a-z0-9-]", "-")
                + (what == null ? "" : "-" + what);
        return name.length() > 80 ? name.substring(0, 80) : name;
    }
}
