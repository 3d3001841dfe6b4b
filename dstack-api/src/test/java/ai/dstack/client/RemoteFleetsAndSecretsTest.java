package ai.dstack.client;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.fleet.Fleet;
import ai.dstack.api.fleet.FleetPlan;
import ai.dstack.api.instance.Instance;
import ai.dstack.api.json.WireSamples;
import ai.dstack.api.secret.Secret;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Fleets, instances and secrets over real HTTP. */
class RemoteFleetsAndSecretsTest {
    @RegisterExtension
    final FakeDstackServer server = new FakeDstackServer();

    @Test
    void fleetsAreListedFetchedAndDeletedInTheProject() {
        server.reply("[" + WireSamples.text("fleet") + "]");
        server.replySample("fleet");
        server.reply("null");
        try (RemoteDstackClient client = server.client()) {
            DstackProject main = client.project();
            List<Fleet> fleets = main.listFleets();
            assertThat(fleets).singleElement().extracting(Fleet::name).isEqualTo(WireSamples.tree("fleet").get("name").asText());
            assertThat(main.getFleet("my-fleet").instances()).isNotEmpty();
            main.deleteFleets(List.of("my-fleet"));
        }
        assertThat(FakeDstackServer.json(server.takePost("/api/project/main/fleets/list")))
                .isEqualTo(FakeDstackServer.tree("{\"include_imported\":true}"));
        assertThat(FakeDstackServer.json(server.takePost("/api/project/main/fleets/get")))
                .isEqualTo(FakeDstackServer.tree("{\"name\":\"my-fleet\",\"id\":null}"));
        assertThat(FakeDstackServer.json(server.takePost("/api/project/main/fleets/delete")))
                .isEqualTo(FakeDstackServer.tree("{\"names\":[\"my-fleet\"]}"));
    }

    @Test
    void aFleetPlanIsAppliedWithItsSpecAndCurrentFleetWithoutDeprecatedFields() {
        FleetPlan sample = WireSamples.read("fleet-plan", FleetPlan.class);
        Fleet current = WireSamples.read("fleet", Fleet.class);
        FleetPlan plan = new FleetPlan(sample.projectName(), sample.user(), sample.spec(), sample.effectiveSpec(), current,
                sample.offers(), sample.totalOffers(), sample.maxOfferPrice(), sample.action());
        server.replySample("fleet-plan");
        server.replySample("fleet");
        try (RemoteDstackClient client = server.client()) {
            FleetPlan planned = client.getFleetPlan("main", sample.spec());
            assertThat(planned.offers()).hasSameSizeAs(sample.offers());
            client.applyFleet("main", ApplyFleetRequest.of(plan));
        }
        JsonNode planBody = FakeDstackServer.json(server.takePost("/api/project/main/fleets/get_plan"));
        assertThat(planBody.get("spec").get("configuration")).isEqualTo(WireSamples.tree("fleet-plan").get("spec").get("configuration"));
        assertThat(planBody.get("spec").has("autocreated")).isFalse();
        JsonNode applyBody = FakeDstackServer.json(server.takePost("/api/project/main/fleets/apply"));
        assertThat(applyBody.get("force").asBoolean()).isFalse();
        assertThat(applyBody.get("plan").get("spec").has("autocreated")).isFalse();
        JsonNode sentCurrent = applyBody.get("plan").get("current_resource");
        assertThat(sentCurrent.get("id").asText()).isEqualTo(current.id().toString());
        assertThat(sentCurrent.get("instances").get(0).get("instance_type").get("resources").has("description")).isFalse();
    }

    @Test
    void instancesOfAProjectAreListedWithDstacksDefaults() {
        server.reply("[" + WireSamples.text("instance") + "]");
        server.reply("[]");
        UUID fleet = UUID.fromString("11111111-2222-4333-8444-555555555555");
        try (RemoteDstackClient client = server.client()) {
            assertThat(client.project().listInstances()).extracting(Instance::name)
                    .containsExactly(WireSamples.tree("instance").get("name").asText());
            client.listInstances(InstanceQuery.newBuilder().fleetIds(List.of(fleet)).onlyActive(true).build());
        }
        assertThat(FakeDstackServer.json(server.takePost("/api/instances/list"))).isEqualTo(FakeDstackServer.tree("""
                {"project_names":["main"],"fleet_ids":null,"only_active":false,"include_imported":false,
                 "prev_created_at":null,"prev_id":null,"limit":1000,"ascending":false}
                """));
        JsonNode second = FakeDstackServer.json(server.takePost("/api/instances/list"));
        assertThat(second.get("project_names").isNull()).isTrue();
        assertThat(second.get("fleet_ids").get(0).asText()).isEqualTo(fleet.toString());
        assertThat(second.get("only_active").asBoolean()).isTrue();
    }

    @Test
    void secretsAreListedReadSetAndDeleted() {
        server.reply("[{\"id\":\"f1a2b3c4-d5e6-4f7a-8b9c-0d1e2f3a4b5c\",\"name\":\"HF_TOKEN\",\"value\":null}]");
        server.replySample("secret");
        server.replySample("secret");
        server.reply("null");
        try (RemoteDstackClient client = server.client()) {
            DstackProject main = client.project();
            assertThat(main.listSecrets()).singleElement().extracting(Secret::value).isNull();
            assertThat(main.getSecret("HF_TOKEN").value()).isEqualTo("hf_secret");
            assertThat(main.setSecret("HF_TOKEN", "hf_secret").toString()).doesNotContain("hf_secret");
            main.deleteSecrets(List.of("HF_TOKEN"));
        }
        assertThat(server.takePost("/api/project/main/secrets/list").getBodySize()).isZero();
        assertThat(FakeDstackServer.json(server.takePost("/api/project/main/secrets/get")))
                .isEqualTo(FakeDstackServer.tree("{\"name\":\"HF_TOKEN\"}"));
        assertThat(FakeDstackServer.json(server.takePost("/api/project/main/secrets/create_or_update")))
                .isEqualTo(FakeDstackServer.tree("{\"name\":\"HF_TOKEN\",\"value\":\"hf_secret\"}"));
        assertThat(FakeDstackServer.json(server.takePost("/api/project/main/secrets/delete")))
                .isEqualTo(FakeDstackServer.tree("{\"secrets_names\":[\"HF_TOKEN\"]}"));
    }
}
