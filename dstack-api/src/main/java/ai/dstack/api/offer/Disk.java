package ai.dstack.api.offer;

/** An offered instance's disk. {@code sizeMib} 0 means the size is unknown. */
public record Disk(int sizeMib) {
    /** What dstack assumes when an offer gives no disk: 100 GB. */
    public static final Disk DEFAULT = new Disk(102400);
}
