package ai.dstack.spi.backend;

import ai.dstack.api.offer.Disk;
import ai.dstack.api.offer.Gpu;
import ai.dstack.api.offer.InstanceOffer;
import ai.dstack.api.offer.InstanceType;
import ai.dstack.api.offer.Resources;
import ai.dstack.api.resources.CpuArch;
import ai.dstack.api.resources.GpuVendor;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A cloud's instance types and prices, in gpuhunt's catalogue CSV (the columns dstack's offers come from:
 * {@code instance_name, location, price, cpu, memory, gpu_count, gpu_name, gpu_memory, spot, disk_size, gpu_vendor,
 * flags, cpu_arch, provider_data}; GB values, USD per hour). Lines starting with {@code #} are comments (the shipped
 * catalogues say there when and from where they were compiled).
 *
 * <p>Where it comes from, first match wins:
 * <ol>
 *   <li>{@code DSTACK_CATALOG_DIR} (or the system property {@code dstack.catalog.dir}): {@code <dir>/<provider>.csv};
 *   <li>{@code DSTACK_CATALOG_URL} (or {@code dstack.catalog.url}): gpuhunt's layout,
 *       {@code <url>/<provider>/version} naming a version, then {@code <url>/<provider>/<version>/catalog.zip}
 *       holding {@code <provider>.csv};
 *   <li>the catalogue the backend ships in its jar.
 * </ol>
 * {@link #current()} reloads after {@link #REFRESH}; a failed reload keeps the previous rows.
 */
public final class OfferCatalog {
    /** How long rows are used before the source is read again: gpuhunt's 15 minutes. */
    public static final Duration REFRESH = Duration.ofMinutes(15);

    private static final CsvMapper CSV = CsvMapper.builder().enable(CsvParser.Feature.ALLOW_COMMENTS)
            .enable(CsvParser.Feature.TRIM_SPACES).build();

    private final String provider;
    private final String shippedResource;
    private final ClassLoader loader;
    private volatile Snapshot snapshot;

    /** The rows read at one time, and from where. */
    private record Snapshot(List<Row> rows, String source, long loadedAtNanos) {}

    /**
     * One catalogue line.
     *
     * @param gpuMemoryGb per GPU; 0 when there is no GPU or it is unknown
     * @param diskGb 0 when the instance has no fixed disk (the root disk is sized on request)
     */
    public record Row(String instanceName, String location, double price, int cpus, double memoryGb, int gpuCount,
            String gpuName, double gpuMemoryGb, boolean spot, double diskGb, String gpuVendor, String cpuArch) {

        /** This row as an offer of {@code backend}, with the disk an instance would get. */
        public InstanceOffer toOffer(String backend, int diskMib) {
            List<Gpu> gpus = new ArrayList<>();
            GpuVendor vendor = gpuVendor == null || gpuVendor.isEmpty() ? null : GpuVendor.cast(
                    gpuVendor.toLowerCase(Locale.ROOT));
            for (int i = 0; i < gpuCount; i++) {
                gpus.add(new Gpu(gpuName, (int) Math.round(gpuMemoryGb * 1024), vendor));
            }
            int disk = diskGb > 0 ? (int) Math.round(diskGb * 1024) : diskMib;
            CpuArch arch = cpuArch == null || cpuArch.isEmpty() ? CpuArch.X86 : CpuArch.cast(cpuArch);
            Resources resources = new Resources(cpus, (int) Math.round(memoryGb * 1024), gpus, spot, new Disk(disk),
                    arch, null);
            return new InstanceOffer(backend, new InstanceType(instanceName, resources), location, price, Map.of());
        }
    }

    /**
     * @param provider gpuhunt's provider name, e.g. {@code aws}
     * @param shippedResource the class path resource of the catalogue shipped with the backend
     * @param loader the class loader holding that resource
     */
    public OfferCatalog(String provider, String shippedResource, ClassLoader loader) {
        this.provider = provider;
        this.shippedResource = shippedResource;
        this.loader = loader;
    }

    /** The rows now, loading or reloading them when due. */
    public List<Row> current() {
        Snapshot s = snapshot;
        if (s == null || System.nanoTime() - s.loadedAtNanos() > REFRESH.toNanos()) {
            synchronized (this) {
                s = snapshot;
                if (s == null || System.nanoTime() - s.loadedAtNanos() > REFRESH.toNanos()) {
                    s = reload(s);
                    snapshot = s;
                }
            }
        }
        return s.rows();
    }

    /** Where the rows now in use came from: a path, a URL or the shipped resource. */
    public String source() {
        current();
        return snapshot.source();
    }

    /** The rows of these locations (all when {@code locations} is empty). */
    public List<Row> rows(Collection<String> locations) {
        return current().stream().filter(r -> locations.isEmpty() || locations.contains(r.location())).toList();
    }

    private Snapshot reload(Snapshot previous) {
        try {
            return load();
        } catch (RuntimeException e) {
            if (previous == null) {
                throw e;
            }
            org.slf4j.LoggerFactory.getLogger(OfferCatalog.class).warn(
                    "Cannot reload the {} offer catalogue, keeping the one from {}: {}", provider, previous.source(),
                    e.getMessage());
            return new Snapshot(previous.rows(), previous.source(), System.nanoTime());
        }
    }

    private Snapshot load() {
        String dir = setting("DSTACK_CATALOG_DIR", "dstack.catalog.dir");
        if (dir != null) {
            Path file = Path.of(dir).resolve(provider + ".csv");
            try {
                return new Snapshot(parse(Files.readString(file, StandardCharsets.UTF_8), file.toString()),
                        file.toString(), System.nanoTime());
            } catch (IOException e) {
                throw new BackendException(BackendFailure.INVALID_CONFIGURATION,
                        "Cannot read the " + provider + " offer catalogue " + file + ": " + e.getMessage());
            }
        }
        String url = setting("DSTACK_CATALOG_URL", "dstack.catalog.url");
        if (url != null) {
            String text = download(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            return new Snapshot(parse(text, url), url, System.nanoTime());
        }
        try (InputStream in = loader.getResourceAsStream(shippedResource)) {
            if (in == null) {
                throw new IllegalStateException("the shipped catalogue " + shippedResource + " is missing");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Snapshot(parse(text, shippedResource), "classpath:" + shippedResource, System.nanoTime());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** gpuhunt's offline catalogue: a version file, then a zip holding {@code <provider>.csv}. */
    private String download(String base) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String version = new String(get(http, base + "/" + provider + "/version"), StandardCharsets.UTF_8).strip();
        byte[] zip = get(http, base + "/" + provider + "/" + version + "/catalog.zip");
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (entry.getName().equals(provider + ".csv")) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new BackendException(BackendFailure.OTHER, "Cannot read the " + provider + " catalogue from "
                    + base + ": " + e.getMessage());
        }
        throw new BackendException(BackendFailure.OTHER, "The catalogue zip at " + base + "/" + provider + "/"
                + version + " has no " + provider + ".csv");
    }

    private byte[] get(HttpClient http, String url) {
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new BackendException(BackendFailure.OTHER, "GET " + url + " answered " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new BackendException(BackendFailure.OTHER, "GET " + url + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(BackendFailure.OTHER, "GET " + url + " was interrupted");
        }
    }

    /** Parses catalogue CSV text; {@code where} names it in errors. */
    public static List<Row> parse(String text, String where) {
        List<Row> rows = new ArrayList<>();
        CsvSchema schema = CsvSchema.emptySchema().withHeader().withComments();
        try (Reader reader = new StringReader(text);
                MappingIterator<Map<String, String>> it = CSV.readerForMapOf(String.class).with(schema)
                        .readValues(reader)) {
            int line = 1;
            while (it.hasNext()) {
                Map<String, String> m = it.next();
                line++;
                try {
                    rows.add(new Row(req(m, "instance_name"), req(m, "location"), num(m, "price"),
                            (int) num(m, "cpu"), num(m, "memory"), (int) num(m, "gpu_count"), m.get("gpu_name"),
                            num(m, "gpu_memory"), "true".equalsIgnoreCase(m.get("spot")), num(m, "disk_size"),
                            m.get("gpu_vendor"), m.get("cpu_arch")));
                } catch (RuntimeException e) {
                    throw new BackendException(BackendFailure.INVALID_CONFIGURATION,
                            "Offer catalogue " + where + ", row " + line + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new BackendException(BackendFailure.INVALID_CONFIGURATION,
                    "Offer catalogue " + where + " is not CSV: " + e.getMessage());
        }
        return List.copyOf(rows);
    }

    private static String req(Map<String, String> row, String column) {
        String value = row.get(column);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("column " + column + " is empty");
        }
        return value;
    }

    private static double num(Map<String, String> row, String column) {
        String value = row.get(column);
        if (value == null || value.isEmpty()) {
            return 0;
        }
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("column " + column + " is not a number: " + value);
        }
    }

    private static String setting(String env, String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
        }
        return value == null || value.isBlank() ? null : value;
    }
}
