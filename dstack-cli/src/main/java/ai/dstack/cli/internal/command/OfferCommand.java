package ai.dstack.cli.internal.command;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.cli.internal.output.PlanPrinter;
import ai.dstack.client.DstackProject;
import ai.dstack.client.RunPlanRequest;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dstack offer}: what the project's backends and fleets offer, planned for a synthetic task as dstack does. */
@Command(name = "offer", description = "List the offers available to the project.")
public final class OfferCommand extends ClientCommand {
    @Option(names = "--max-offers", paramLabel = "N", description = "Show at most N offers (default 50).")
    int maxOffers = 50;

    @Override
    int run(DstackProject project) {
        RunSpec spec = RunSpec.newBuilder()
                .configuration(TaskConfiguration.of(null, List.of(":")))
                .build();
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
}
