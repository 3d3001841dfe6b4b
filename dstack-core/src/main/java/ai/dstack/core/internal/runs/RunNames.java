package ai.dstack.core.internal.runs;

import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * dstack's generated run names: {@code <adjective>-<animal>-<n>} with the first {@code n >= 1} not taken yet.
 * The word lists are dstack's, so names look the same as on a dstack server.
 */
public final class RunNames {
    static final List<String> ADJECTIVES = List.of(
            "afraid", "ancient", "angry", "average", "bad", "big", "bitter", "black", "blue", "brave", "breezy",
            "bright", "brown", "calm", "chatty", "chilly", "clever", "cold", "cowardly", "cuddly", "curly", "curvy",
            "dangerous", "dry", "dull", "empty", "evil", "fast", "fat", "fluffy", "foolish", "fresh", "friendly",
            "funny", "fuzzy", "gentle", "giant", "good", "great", "green", "grumpy", "happy", "hard", "heavy",
            "helpless", "honest", "horrible", "hot", "hungry", "itchy", "jolly", "kind", "lazy", "light", "little",
            "loud", "lovely", "lucky", "massive", "mean", "mighty", "modern", "moody", "nasty", "neat", "nervous",
            "new", "nice", "odd", "old", "orange", "ordinary", "perfect", "pink", "plastic", "polite", "popular",
            "pretty", "proud", "purple", "quick", "quiet", "rare", "red", "rotten", "rude", "selfish", "serious",
            "shaggy", "sharp", "short", "shy", "silent", "silly", "slimy", "slippery", "smart", "smooth", "soft",
            "sour", "spicy", "splendid", "spotty", "stale", "strange", "strong", "stupid", "sweet", "swift", "tall",
            "tame", "tasty", "tender", "terrible", "thin", "tidy", "tiny", "tough", "tricky", "ugly", "unlucky",
            "warm", "weak", "wet", "white", "wicked", "wise", "witty", "wonderful", "yellow", "young");

    static final List<String> ANIMALS = List.of(
            "ape", "baboon", "badger", "bat", "bear", "bird", "bobcat", "bulldog", "bullfrog", "cat", "catfish",
            "cheetah", "chicken", "chipmunk", "cobra", "cougar", "cow", "crab", "deer", "dingo", "dodo", "dog",
            "dolphin", "donkey", "dragon", "dragonfly", "duck", "eagle", "earwig", "eel", "elephant", "emu",
            "falcon", "fireant", "firefox", "fish", "fly", "fox", "frog", "gecko", "goat", "goose", "grasshopper",
            "horse", "hound", "husky", "impala", "insect", "jellyfish", "kangaroo", "ladybug", "liger", "lion",
            "lionfish", "lizard", "mayfly", "mole", "monkey", "moose", "moth", "mouse", "mule", "newt", "octopus",
            "otter", "owl", "panda", "panther", "parrot", "penguin", "pig", "puma", "pug", "quail", "rabbit", "rat",
            "rattlesnake", "robin", "seahorse", "sheep", "shrimp", "skunk", "sloth", "snail", "snake", "squid",
            "starfish", "stingray", "swan", "termite", "tiger", "treefrog", "turkey", "turtle", "vampirebat",
            "walrus", "warthog", "wasp", "wolverine", "wombat", "yak", "zebra");

    private final RandomGenerator random;

    public RunNames(RandomGenerator random) {
        this.random = Objects.requireNonNull(random, "random is null");
    }

    /**
     * A new name: a random {@code <adjective>-<animal>} base, then the first suffix {@code -1}, {@code -2}, ... that
     * {@code taken} rejects.
     *
     * @param taken whether a (non-deleted) run of the project already has this name
     */
    public String generate(Predicate<String> taken) {
        return generate(base(), taken);
    }

    /** A random {@code <adjective>-<animal>} base. */
    public String base() {
        return ADJECTIVES.get(random.nextInt(ADJECTIVES.size())) + "-" + ANIMALS.get(random.nextInt(ANIMALS.size()));
    }

    /** The first name of {@code base}, {@code <base>-1}: what {@link #generate} returns when nothing is taken. */
    public String first(String base) {
        return base + "-1";
    }

    /** The base of a generated name ({@code <adjective>-<animal>-<n>} without {@code -<n>}). */
    public static String baseOf(String generated) {
        return generated.substring(0, generated.lastIndexOf('-'));
    }

    /** The first name {@code <base>-<n>}, {@code n >= 1}, that {@code taken} rejects. */
    public String generate(String base, Predicate<String> taken) {
        for (int n = 1; ; n++) {
            String name = base + "-" + n;
            if (!taken.test(name)) {
                return name;
            }
        }
    }
}
