package ai.dstack.core.internal.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Job user ids are never shared, not even between two servers on one host. */
class JobUsersTest {
    @Test
    void twoServersOnOneHostNeverGiveTheirJobsTheSameUser() {
        ProcessRunner runner = new ProcessRunner(LocalHostExecutor.defaultBaseEnvironment());
        Optional<JobUsers> first = JobUsers.forThisHost(runner);
        Assumptions.assumeTrue(first.isPresent(), "jobs get users of their own only where the engine runs as root"
                + " with setpriv");
        JobUsers second = JobUsers.forThisHost(runner).orElseThrow();

        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            ids.add(first.get().allocate());
            ids.add(second.allocate());
        }

        assertThat(ids).hasSize(10).allSatisfy(id -> assertThat(id).isGreaterThanOrEqualTo(JobUsers.FIRST_UID));
    }
}
