// The plugin comes from the local Maven repository after `./mvnw -B -ntp install -DskipTests` in this checkout.
pluginManagement {
    repositories {
        mavenLocal()
        gradlePluginPortal()
    }
}
rootProject.name = "dstack-gradle-example"
