package ai.dstack.core.internal.operations;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * dstack's keyset paging over {@code (created_at, id)}: newest first with ids ascending on ties (or the reverse when
 * ascending), resuming strictly after the previous page's last item. Ids compare as dstack's databases compare
 * UUIDs: by their hex text.
 */
final class Paging {
    private Paging() {}

    static <T> List<T> page(List<T> items, Function<T, Instant> at, Function<T, UUID> id, Instant prevAt, UUID prevId,
            int limit, boolean ascending) {
        Comparator<T> byTime = Comparator.comparing(at);
        Comparator<T> byId = Comparator.comparing(item -> id.apply(item).toString());
        Comparator<T> order = ascending ? byTime.thenComparing(byId.reversed()) : byTime.reversed().thenComparing(byId);
        return items.stream()
                .filter(item -> after(at.apply(item), id.apply(item), prevAt, prevId, ascending))
                .sorted(order)
                .limit(Math.max(0, limit))
                .toList();
    }

    private static boolean after(Instant at, UUID id, Instant prevAt, UUID prevId, boolean ascending) {
        if (prevAt == null) {
            return true;
        }
        int time = at.compareTo(prevAt);
        if (prevId == null) {
            return ascending ? time > 0 : time < 0;
        }
        int ids = id.toString().compareTo(prevId.toString());
        return ascending ? time > 0 || (time == 0 && ids < 0) : time < 0 || (time == 0 && ids > 0);
    }

    /** Python's repr of a list of names, as dstack puts it in messages: {@code ['a', 'b']}. */
    static String pythonList(List<String> names) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < names.size(); i++) {
            out.append(i == 0 ? "" : ", ").append('\'').append(names.get(i)).append('\'');
        }
        return out.append(']').toString();
    }
}
