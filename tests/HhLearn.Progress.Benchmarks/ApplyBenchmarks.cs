using System.Buffers;
using BenchmarkDotNet.Attributes;
using HhLearn.Progress.Catalog;
using HhLearn.CrmSync.Contacts;
using HhLearn.Progress.Events;
using HhLearn.Progress.Rules;
using HhLearn.Progress.State;

namespace HhLearn.Progress.Benchmarks;

/// <summary>
/// One event for a learner with 3 pathways x 5 courses x 10 modules (150 modules, about 80% completed).
/// Target (issue 2): apply plus serialise under 50 us and 20 KB allocated per event.
/// </summary>
[MemoryDiagnoser]
public class ApplyBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private LearningCatalog _catalog = LearningCatalog.Empty;
    private LearnerProgress _learner = LearnerProgress.New;
    private Dictionary<string, string?> _stored = [];
    private TrackEvent _event = null!;
    private string _body = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        var courses = new List<(string, string[])>();
        var pathways = new List<(string, string[])>();
        for (var p = 0; p < 3; p++)
        {
            var pathwayCourses = new List<string>();
            for (var c = 0; c < 5; c++)
            {
                var course = $"pathway-{p}-course-{c}";
                pathwayCourses.Add(course);
                courses.Add((course, Enumerable.Range(0, 10).Select(m => $"{course}-module-{m:D2}").ToArray()));
            }

            pathways.Add(($"pathway-{p}", pathwayCourses.ToArray()));
        }

        _catalog = LearningCatalog.Of(courses, pathways);
        var learner = LearnerProgress.New;
        var minute = 0;
        foreach (var (pathway, pathwayCourses) in pathways)
        {
            foreach (var course in pathwayCourses)
            {
                foreach (var module in _catalog.CourseModules(course)!.Value)
                {
                    var name = minute++ % 5 == 4 ? EventNames.ModuleStarted : EventNames.ModuleCompleted;
                    var e = TrackEventParser.Parse(
                        $$$"""{"eventName":"{{{name}}}","payload":{"pathway_slug":"{{{pathway}}}","course_slug":"{{{course}}}","module_slug":"{{{module}}}","ts":"{{{Now.AddMinutes(-10_000 + minute):O}}}"}}""").Event!;
                    learner = ProgressEngine.Apply(learner, e, _catalog, Now).Learner!;
                }
            }
        }

        _learner = learner;
        _stored = ContactProgress.Build(learner, _catalog, Now).Properties.ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
        _body = """{"eventName":"learning_module_completed","eventId":"e-1","contactIdentifier":{"email":"ada@example.com"},"payload":{"pathway_slug":"pathway-1","course_slug":"pathway-1-course-2","module_slug":"pathway-1-course-2-module-04","ts":"2026-11-27T11:59:00Z"}}""";
        _event = TrackEventParser.Parse(_body).Event!;
    }

    /// <summary>The figure: apply one event, then serialise the state (UTF-8, into a reused buffer).</summary>
    [Benchmark(Baseline = true)]
    public int ApplyAndSerialise()
    {
        var result = ProgressEngine.Apply(_learner, _event, _catalog, Now);
        _buffer.ResetWrittenCount();
        ProgressStateJson.Write(result.Learner!.State, _buffer);
        return _buffer.WrittenCount;
    }

    /// <summary>Apply, then every contact property as strings (what a HubSpot update carries).</summary>
    [Benchmark]
    public int ApplyAndBuildProperties()
    {
        var result = ProgressEngine.Apply(_learner, _event, _catalog, Now);
        return ContactProgress.Build(result.Learner!, _catalog, Now).StateLength;
    }

    /// <summary>The whole per-event domain cost in the service: parse the body, read stored properties, apply, build.</summary>
    [Benchmark]
    public int ParseReadApplyBuild()
    {
        var e = TrackEventParser.Parse(_body).Event!;
        var learner = ContactProgress.Read(_stored).Learner!;
        var result = ProgressEngine.Apply(learner, e, _catalog, Now);
        return ContactProgress.Build(result.Learner!, _catalog, Now).StateLength;
    }
}
