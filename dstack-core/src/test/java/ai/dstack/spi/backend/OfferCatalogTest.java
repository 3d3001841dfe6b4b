package ai.dstack.spi.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.offer.InstanceOffer;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OfferCatalogTest {
    private static final String SHIPPED = "ai/dstack/spi/backend/test-catalog.csv";
    private static final String HEADER = "instance_name,location,price,cpu,memory,gpu_count,gpu_name,gpu_memory,spot,"
            + "disk_size,gpu_vendor,flags,cpu_arch,provider_data\n";

    @TempDir
    Path dir;

    @AfterEach
    void clear() {
        System.clearProperty("dstack.catalog.dir");
        System.clearProperty("dstack.catalog.url");
    }

    private OfferCatalog catalog() {
        return new OfferCatalog("test", SHIPPED, getClass().getClassLoader());
    }

    @Test
    void theShippedCatalogueGivesOffersInDstacksUnits() {
        OfferCatalog catalog = catalog();
        assertThat(catalog.source()).isEqualTo("classpath:" + SHIPPED);
        List<OfferCatalog.Row> rows = catalog.rows(List.of("r1"));
        assertThat(rows).hasSize(2);
        InstanceOffer gpu = rows.get(1).toOffer("test", 100 * 1024);
        assertThat(gpu.price()).isEqualTo(2.25);
        assertThat(gpu.instance().resources().memoryMib()).isEqualTo(32 * 1024);
        assertThat(gpu.instance().resources().spot()).isTrue();
        assertThat(gpu.instance().resources().disk().sizeMib()).as("the catalogue's own disk").isEqualTo(200 * 1024);
        assertThat(gpu.instance().resources().gpus()).hasSize(2)
                .allSatisfy(g -> assertThat(g.memoryMib()).isEqualTo(80 * 1024));
        InstanceOffer small = rows.get(0).toOffer("test", 60 * 1024);
        assertThat(small.instance().resources().disk().sizeMib()).as("sized on request").isEqualTo(60 * 1024);
        assertThat(catalog.rows(List.of("elsewhere"))).isEmpty();
    }

    @Test
    void aDirectoryReplacesTheShippedCatalogue() throws Exception {
        Files.writeString(dir.resolve("test.csv"), HEADER + "big,r2,9.5,64,256,0,,,False,,,,x86,\n");
        System.setProperty("dstack.catalog.dir", dir.toString());
        OfferCatalog catalog = catalog();
        assertThat(catalog.current()).extracting(OfferCatalog.Row::instanceName).containsExactly("big");
        assertThat(catalog.source()).isEqualTo(dir.resolve("test.csv").toString());
    }

    @Test
    void gpuhuntsLayoutIsDownloadedFromAUrl() throws Exception {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            out.putNextEntry(new ZipEntry("test.csv"));
            out.write((HEADER + "remote,r3,1.25,4,16,0,,,False,,,,x86,\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v3/test/version", ex -> {
            byte[] body = "20261206\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/v3/test/20261206/catalog.zip", ex -> {
            ex.sendResponseHeaders(200, zip.size());
            ex.getResponseBody().write(zip.toByteArray());
            ex.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/v3";
            System.setProperty("dstack.catalog.url", url);
            OfferCatalog catalog = catalog();
            assertThat(catalog.current()).extracting(OfferCatalog.Row::instanceName).containsExactly("remote");
            assertThat(catalog.source()).isEqualTo(url);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aBrokenRowIsReportedWithItsLine() {
        assertThatThrownBy(() -> OfferCatalog.parse(HEADER + "x,r,cheap,2,4,0,,,False,,,,x86,\n", "my.csv"))
                .isInstanceOf(BackendException.class).hasMessageContaining("my.csv, row 2")
                .hasMessageContaining("price is not a number: cheap");
    }
}
