package ai.dstack.examples;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.client.Dstack;
import ai.dstack.client.DstackClient;
import ai.dstack.client.RunPlanRequest;

/**
 * Lists what a server could run a task on, as {@code dstack offer} does: a plan for offers only, for a task that
 * asks for at least {@code CPUS} CPUs.
 *
 * <pre>java ai.dstack.examples.ListOffers http://127.0.0.1:3000 TOKEN [CPUS]</pre>
 */
public final class ListOffers {
    private ListOffers() {}

    public static void main(String[] args) {
        String cpus = args.length > 2 ? args[2] : "1";
        TaskConfiguration task = DstackYaml.parse("type: task\ncommands: [':']\nresources: {cpu: '" + cpus + "..', memory: '0GB..'}\n",
                "offer filter", TaskConfiguration.class);
        try (DstackClient dstack = Dstack.remote(args[0], args[1], "main")) {
            RunPlan plan = dstack.project().getRunPlan(RunPlanRequest.newBuilder(RunSpec.newBuilder().configuration(task).build())
                    .forOffersOnly(true).maxOffers(10).build());
            var offers = plan.jobPlans().isEmpty() ? java.util.List.<InstanceOfferWithAvailability>of() : plan.jobPlans().get(0).offers();
            for (InstanceOfferWithAvailability offer : offers) {
                var resources = offer.instance().resources();
                String described = resources.description().isBlank()
                        ? resources.cpus() + "xCPU, " + resources.memoryMib() + "MiB" : resources.description();
                System.out.printf("%s %s %s $%.4f %s%n", offer.backend(), offer.region(), described, offer.price(),
                        offer.availability().name().toLowerCase(java.util.Locale.ROOT));
            }
            System.out.println(offers.size() + " offers");
        }
    }
}
