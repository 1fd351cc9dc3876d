package org.ferry.flow;

import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.function.BiConsumer;

/**
 * Runs each import as a Quartz job in a JDBC job store on Ferry's own database, with recovery requested: a job
 * that was running when the process died is fired again at the next start (or, clustered, on another node).
 */
public final class ImportScheduler implements AutoCloseable {
    static final String GROUP = "ferry-imports";
    private static final String RUNNER = "ferry.importRunner";

    private final Scheduler scheduler;

    /**
     * @param name   the scheduler name; every node sharing a database uses the same one
     * @param runner called with (task id, recovering) on a Quartz thread
     */
    public ImportScheduler(DataSource dataSource, String name, boolean postgres, int threads,
                           BiConsumer<String, Boolean> runner) throws SchedulerException {
        String dsName = name + "-ds";
        DBConnectionManager.getInstance().addConnectionProvider(dsName, new ConnectionProvider() {
            @Override
            public Connection getConnection() throws SQLException {
                return dataSource.getConnection();
            }

            @Override
            public void shutdown() {
                // the pool belongs to the catalog
            }

            @Override
            public void initialize() {
            }
        });
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", name);
        p.setProperty("org.quartz.scheduler.instanceId", postgres ? "AUTO" : "NON_CLUSTERED");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(threads));
        p.setProperty("org.quartz.threadPool.threadNamePrefix", "ferry-import");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", dsName);
        p.setProperty("org.quartz.jobStore.tablePrefix", "qrtz_");
        p.setProperty("org.quartz.jobStore.isClustered", String.valueOf(postgres));
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", "5000");
        p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
        StdSchedulerFactory factory = new StdSchedulerFactory(p);
        this.scheduler = factory.getScheduler();
        scheduler.getContext().put(RUNNER, runner);
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** Starts firing jobs (including the recovery of jobs a dead process left). */
    public void start() throws SchedulerException {
        scheduler.start();
    }

    public void schedule(String taskId) throws SchedulerException {
        JobDetail job = JobBuilder.newJob(RunImport.class).withIdentity(taskId, GROUP).requestRecovery(true)
                .usingJobData("taskId", taskId).build();
        scheduler.scheduleJob(job, TriggerBuilder.newTrigger().withIdentity(taskId, GROUP).startNow()
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow()).build());
    }

    public boolean hasJob(String taskId) throws SchedulerException {
        return scheduler.checkExists(JobKey.jobKey(taskId, GROUP));
    }

    /** Stops firing jobs (a stop has begun); jobs already running go on, new ones wait in the job store. */
    public void standby() throws SchedulerException {
        scheduler.standby();
    }

    /** The task ids of the imports running in this process. */
    public java.util.List<String> running() throws SchedulerException {
        return scheduler.getCurrentlyExecutingJobs().stream().map(c -> c.getJobDetail().getKey().getName()).toList();
    }

    @Override
    public void close() {
        try {
            scheduler.shutdown(true);
        } catch (SchedulerException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Quartz job: hands the task to the import routes. */
    public static final class RunImport implements Job {
        @Override
        @SuppressWarnings("unchecked")
        public void execute(JobExecutionContext context) throws JobExecutionException {
            try {
                var runner = (BiConsumer<String, Boolean>) context.getScheduler().getContext().get(RUNNER);
                runner.accept(context.getMergedJobDataMap().getString("taskId"), context.isRecovering());
            } catch (SchedulerException | RuntimeException e) {
                throw new JobExecutionException(e, false);
            }
        }
    }
}
