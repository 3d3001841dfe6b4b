package ai.dstack.cli.internal.command;

import ai.dstack.api.ConfigurationException;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.json.DstackJson;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.cli.internal.CliException;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.cli.internal.output.PlanPrinter;
import ai.dstack.client.DstackProject;
import ai.dstack.client.RunPlanRequest;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dstack offer}: what the project's backends and fleets offer, planned for a synthetic task as dstack does
 * ({@code commands: [":"]}, unconstrained resources), narrowed by dstack's resource and profile filters.
 */
@Command(name = "offer", description = "List the offers available to the project.")
public final class OfferCommand extends ClientCommand {
    @Option(names = "--max-offers", paramLabel = "N", description = "Show at most N offers (default 50).")
    int maxOffers = 50;

    @Option(names = "--gpu", paramLabel = "SPEC", description = "Request GPUs, e.g. A100, 24GB.., A100:80GB:2, nvidia:2.")
    String gpu;

    @Option(names = "--cpu", paramLabel = "SPEC", description = "Request CPUs, e.g. 4, 2.., arm:8.")
    String cpu;

    @Option(names = "--memory", paramLabel = "SIZE", description = "Request memory, e.g. 16GB, 32GB...")
    String memory;

    @Option(names = "--disk", paramLabel = "SIZE", description = "Request disk, e.g. 100GB...")
    String disk;

    @Option(names = {"-b", "--backend"}, paramLabel = "NAME", description = "Only these backends (repeatable).")
    List<String> backends = new ArrayList<>();

    @Option(names = {"-r", "--region"}, paramLabel = "NAME", description = "Only these regions (repeatable).")
    List<String> regions = new ArrayList<>();

    @Option(names = "--instance-type", paramLabel = "NAME", description = "Only these instance types (repeatable).")
    List<String> instanceTypes = new ArrayList<>();

    @Option(names = "--fleet", paramLabel = "NAME", description = "Only these fleets (repeatable).")
    List<String> fleets = new ArrayList<>();

    @Option(names = "--max-price", paramLabel = "PRICE", description = "The most per hour, in dollars.")
    Double maxPrice;

    @ArgGroup(exclusive = true)
    SpotPolicy spot;

    /** dstack's three mutually exclusive spot switches. */
    static final class SpotPolicy {
        @Option(names = "--spot", description = "Only spot offers.")
        boolean spot;

        @Option(names = "--on-demand", description = "Only on-demand offers.")
        boolean onDemand;

        @Option(names = "--spot-auto", description = "Spot and on-demand offers.")
        boolean auto;

        String value() {
            return spot ? "spot" : onDemand ? "on-demand" : "auto";
        }
    }

    @Override
    int run(DstackProject project) {
        RunSpec spec = RunSpec.newBuilder().configuration(configuration()).build();
        RunPlan plan = project.getRunPlan(RunPlanRequest.newBuilder(spec).forOffersOnly(true).maxOffers(maxOffers).build());
        var offers = plan.jobPlans().isEmpty() ? List.<ai.dstack.api.offer.InstanceOfferWithAvailability>of()
                : plan.jobPlans().get(0).offers();
        if (offers.isEmpty()) {
            out().println("No offers");
            return ExitStatus.OK;
        }
        new PlanPrinter(out(), Terminal.width(environment())).print(offers, maxOffers);
        return ExitStatus.OK;
    }

    /**
     * The synthetic task with the filters applied, read by the same parser as configuration files, so every
     * shorthand ({@code A100:80GB:2}, {@code 2..}) means what it means in a file and a bad one gets its message.
     */
    TaskConfiguration configuration() {
        ObjectNode task = DstackJson.mapper().createObjectNode().put("type", "task");
        task.putArray("commands").add(":");
        ObjectNode resources = task.putObject("resources");
        resources.put("cpu", cpu != null ? cpu : "1..");
        resources.put("memory", memory != null ? memory : "0GB..");
        if (gpu != null) {
            resources.put("gpu", gpu);
        }
        if (disk != null) {
            resources.put("disk", disk);
        }
        list(task, "backends", backends);
        list(task, "regions", regions);
        list(task, "instance_types", instanceTypes);
        list(task, "fleets", fleets);
        if (maxPrice != null) {
            task.put("max_price", maxPrice);
        }
        if (spot != null) {
            task.put("spot_policy", spot.value());
        }
        try {
            // JSON is YAML: the parser sees a configuration as if it came from a file.
            return DstackYaml.parse(task.toString(), "dstack offer options", TaskConfiguration.class);
        } catch (ConfigurationException e) {
            throw CliException.usage("invalid offer filter: " + e.getMessage().replace("resources.", "--")
                    .replace("instance_types", "--instance-type").replace("max_price", "--max-price"));
        }
    }

    private static void list(ObjectNode task, String field, List<String> values) {
        if (!values.isEmpty()) {
            ArrayNode array = task.putArray(field);
            values.forEach(array::add);
        }
    }
}
