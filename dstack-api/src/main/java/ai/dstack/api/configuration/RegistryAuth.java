package ai.dstack.api.configuration;

/** Credentials for pulling a private Docker image. */
public record RegistryAuth(String username, String password) {
    @Override
    public String toString() {
        return "RegistryAuth[username=" + username + ", password=***]";
    }
}
