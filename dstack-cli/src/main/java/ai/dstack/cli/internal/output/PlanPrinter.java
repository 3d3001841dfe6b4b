package ai.dstack.cli.internal.output;

import ai.dstack.api.configuration.ProfileParams;
import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.resources.DiskSpec;
import ai.dstack.api.run.JobPlan;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import java.io.PrintWriter;
import java.util.List;

/** A run plan as {@code dstack apply} shows it: what will run where, and the best offers. */
public final class PlanPrinter {
    /** dstack shows the first few offers and says how many more there are. */
    private static final int MAX_OFFERS = 3;

    private final PrintWriter out;
    private final int width;

    public PlanPrinter(PrintWriter out, int width) {
        this.out = out;
        this.width = width;
    }

    public void print(RunPlan plan, String configurationPath) {
        RunSpec spec = plan.effectiveRunSpecOrRunSpec();
        RunConfiguration configuration = (RunConfiguration) spec.configuration();
        ProfileParams profile = configuration.profile();
        Table properties = new Table("", "");
        properties.row("Project", plan.projectName());
        properties.row("User", plan.user());
        properties.row("Configuration", configurationPath);
        properties.row("Type", configuration.type().wireValue());
        List<InstanceOfferWithAvailability> offers = plan.jobPlans().isEmpty() ? List.of() : plan.jobPlans().get(0).offers();
        properties.row("Resources", Describe.resources(configuration.base().resources())
                + defaultDiskNote(configuration, offers));
        properties.row("Spot policy", profile.spotPolicy() == null ? "on-demand" : profile.spotPolicy().wireValue());
        properties.row("Max price", profile.maxPrice() == null ? "-" : Describe.price(profile.maxPrice()));
        // The header row of a two-column property list is empty: skip it.
        properties.lines(width).stream().skip(1).forEach(line -> out.println(" " + line));
        out.println();

        if (offers.isEmpty()) {
            out.println("No matching instance offers available. Possible reasons: "
                    + "https://dstack.ai/docs/guides/troubleshooting/#no-offers");
            out.println();
            return;
        }
        print(offers, MAX_OFFERS);
        JobPlan first = plan.jobPlans().get(0);
        int more = Math.max(first.totalOffers(), offers.size()) - Math.min(offers.size(), MAX_OFFERS);
        if (more > 0) {
            out.println(" Shown " + Math.min(offers.size(), MAX_OFFERS) + " of " + (more + Math.min(offers.size(), MAX_OFFERS))
                    + " offers");
        }
        out.println();
    }

    /**
     * The truth about dstack's default disk request on on-prem hosts (the local fleet, SSH fleets): jobs share the
     * host's filesystem, so {@code 100GB..} is not reserved there (a size the configuration sets is checked).
     */
    private static String defaultDiskNote(RunConfiguration configuration, List<InstanceOfferWithAvailability> offers) {
        boolean defaultDisk = DiskSpec.DEFAULT.equals(configuration.base().resources().disk());
        boolean onPrem = !offers.isEmpty() && offers.stream().allMatch(offer -> "remote".equals(offer.backend()));
        return defaultDisk && onPrem ? " (the default disk is not reserved on on-prem hosts: jobs share their disk)" : "";
    }

    /** The offers table: #, BACKEND, REGION, RESOURCES, SPOT, PRICE. */
    public void print(List<InstanceOfferWithAvailability> offers, int limit) {
        Table table = new Table("#", "BACKEND", "REGION", "RESOURCES", "SPOT", "PRICE");
        int number = 0;
        for (InstanceOfferWithAvailability offer : offers) {
            if (++number > limit) {
                break;
            }
            table.row(String.valueOf(number), offer.backend(), offer.region(),
                    Describe.resources(offer.instance().resources()),
                    offer.instance().resources().spot() ? "yes" : "no", Describe.price(offer.price()));
        }
        table.lines(width).forEach(line -> out.println(" " + line));
    }
}
