package ai.dstack.core.internal.runs;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * A run's {@code schedule.cron}: five UTC crontab fields (minute, hour, day of month, month, day of week), read as
 * dstack reads them (APScheduler 3's {@code CronTrigger.from_crontab}): {@code *}, <code>*&#47;n</code>, {@code a},
 * {@code a-b}, {@code a-b/n}, {@code a/n} and comma lists; month names {@code jan}..{@code dec}; weekday names
 * {@code mon}..{@code sun} and weekday numbers with <b>0 = Monday</b> (APScheduler's numbering, not Vixie cron's);
 * {@code last} for the month's last day. All fields must match (no Vixie-style "day or weekday").
 */
public final class CronSchedule {
    private static final List<String> MONTHS =
            List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
    private static final List<String> WEEKDAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");
    /** Long enough for any day-of-month, month and weekday combination that can happen at all (28-year cycle). */
    private static final int SEARCH_DAYS = 366 * 29;

    private final String expression;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet days;
    private final boolean lastDayOfMonth;
    private final BitSet months;
    private final BitSet weekdays;

    private CronSchedule(String expression, BitSet minutes, BitSet hours, BitSet days, boolean lastDayOfMonth,
            BitSet months, BitSet weekdays) {
        this.expression = expression;
        this.minutes = minutes;
        this.hours = hours;
        this.days = days;
        this.lastDayOfMonth = lastDayOfMonth;
        this.months = months;
        this.weekdays = weekdays;
    }

    /**
     * The next fire of the run's {@code schedule.cron} at or after {@code now} (the earliest of its crons), or null
     * for a run without a schedule; {@code get_plan} and {@code apply} both check a schedule with it.
     *
     * @throws ai.dstack.api.DstackException for a cron expression that does not parse or never fires
     */
    public static Instant nextTrigger(ai.dstack.api.run.RunSpec spec, Instant now) {
        ai.dstack.api.configuration.Schedule schedule = MergedProfile.of(spec).params().schedule();
        if (schedule == null) {
            return null;
        }
        Instant next = null;
        for (String cron : schedule.cron()) {
            CronSchedule parsed;
            try {
                parsed = CronSchedule.parse(cron);
            } catch (IllegalArgumentException e) {
                throw new ai.dstack.api.DstackException(ai.dstack.api.ErrorCode.INVALID_REQUEST, "schedule.cron: " + e.getMessage());
            }
            Instant fire = parsed.nextFireAtOrAfter(now);
            if (fire != null && (next == null || fire.isBefore(next))) {
                next = fire;
            }
        }
        if (next == null) {
            throw new ai.dstack.api.DstackException(ai.dstack.api.ErrorCode.INVALID_REQUEST,
                    "schedule.cron: " + String.join(", ", schedule.cron()) + " never fires");
        }
        return next;
    }

    /**
     * @throws IllegalArgumentException naming the expression and the field that is wrong
     */
    public static CronSchedule parse(String expression) {
        String[] fields = expression.trim().split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException("Invalid cron expression '" + expression + "': wrong number of fields; got "
                    + (expression.isBlank() ? 0 : fields.length) + ", expected 5 (minute hour day month day_of_week)");
        }
        try {
            BitSet days = new BitSet();
            boolean last = false;
            for (String part : fields[2].toLowerCase(Locale.ROOT).split(",", -1)) {
                if (part.equals("last")) {
                    last = true;
                } else {
                    days.or(field(part, "day", 1, 31, List.of(), 1));
                }
            }
            return new CronSchedule(expression,
                    field(fields[0], "minute", 0, 59, List.of(), 0),
                    field(fields[1], "hour", 0, 23, List.of(), 0),
                    days, last,
                    field(fields[3], "month", 1, 12, MONTHS, 1),
                    field(fields[4], "day_of_week", 0, 6, WEEKDAYS, 0));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid cron expression '" + expression + "': " + e.getMessage(), e);
        }
    }

    /** The first minute at or after {@code now} when the schedule fires; null if it never does (say, February 30). */
    public Instant nextFireAtOrAfter(Instant now) {
        LocalDateTime start = LocalDateTime.ofInstant(now, ZoneOffset.UTC);
        LocalDateTime minute = start.truncatedTo(ChronoUnit.MINUTES);
        if (minute.isBefore(start)) {
            minute = minute.plusMinutes(1);
        }
        LocalDate date = minute.toLocalDate();
        for (int i = 0; i < SEARCH_DAYS; i++, date = date.plusDays(1)) {
            if (!dayMatches(date)) {
                continue;
            }
            boolean first = date.equals(minute.toLocalDate());
            for (int hour = hours.nextSetBit(first ? minute.getHour() : 0); hour >= 0; hour = hours.nextSetBit(hour + 1)) {
                int fromMinute = first && hour == minute.getHour() ? minute.getMinute() : 0;
                int fire = minutes.nextSetBit(fromMinute);
                if (fire >= 0) {
                    return date.atTime(hour, fire).toInstant(ZoneOffset.UTC);
                }
            }
        }
        return null;
    }

    private boolean dayMatches(LocalDate date) {
        boolean day = days.get(date.getDayOfMonth()) || lastDayOfMonth && date.getDayOfMonth() == date.lengthOfMonth();
        return day && months.get(date.getMonthValue()) && weekdays.get(date.getDayOfWeek().getValue() - 1);
    }

    /** One comma-separated field. */
    private static BitSet field(String text, String name, int min, int max, List<String> names, int firstName) {
        BitSet values = new BitSet();
        for (String part : text.toLowerCase(Locale.ROOT).split(",", -1)) {
            values.or(part(part, name, min, max, names, firstName));
        }
        return values;
    }

    private static BitSet part(String part, String name, int min, int max, List<String> names, int firstName) {
        String range = part;
        int step = 1;
        int slash = part.indexOf('/');
        if (slash >= 0) {
            range = part.substring(0, slash);
            step = number(part.substring(slash + 1), part, name);
            if (step <= 0) {
                throw new IllegalArgumentException("the step in \"" + part + "\" of field \"" + name + "\" must be positive");
            }
        }
        int first;
        int last;
        if (range.equals("*")) {
            first = min;
            last = max;
        } else {
            int dash = range.indexOf('-');
            first = value(dash >= 0 ? range.substring(0, dash) : range, part, name, names, firstName);
            last = dash >= 0 ? value(range.substring(dash + 1), part, name, names, firstName) : slash >= 0 ? max : first;
        }
        if (first < min || last > max) {
            throw new IllegalArgumentException("\"" + part + "\" is outside " + min + ".." + max + " in field \"" + name + "\"");
        }
        if (first > last) {
            throw new IllegalArgumentException("the range \"" + part + "\" of field \"" + name + "\" starts after it ends");
        }
        BitSet values = new BitSet();
        for (int v = first; v <= last; v += step) {
            values.set(v);
        }
        return values;
    }

    private static int value(String text, String part, String name, List<String> names, int firstName) {
        int index = names.indexOf(text);
        return index >= 0 ? index + firstName : number(text, part, name);
    }

    private static int number(String text, String part, String name) {
        if (text.isEmpty() || !text.chars().allMatch(Character::isDigit) || text.length() > 4) {
            throw new IllegalArgumentException("unrecognized expression \"" + part + "\" for field \"" + name + "\"");
        }
        return Integer.parseInt(text);
    }

    @Override
    public String toString() {
        return expression;
    }
}
