using System.Text.Json.Nodes;
using CsCheck;

namespace HhLearn.Progress.Tests;

/// <summary>
/// Rules that must hold for every input: the same events in any order give the same state and properties;
/// applying an event twice equals applying it once; state JSON round-trips losslessly.
/// </summary>
public class MergePropertyTests
{
    private static readonly string[] Pathways = ["p0", "p1", "p2"];
    private static readonly string[] Courses = ["c0", "c1", "c2", "c3"];
    private static readonly string[] Modules = ["m0", "m1", "m2", "m3"];
    private static readonly string?[] Sources = [null, "pathway_page", "course_page", "email"];

    private static readonly Gen<LearningCatalog> GenCatalog =
        Gen.Select(
            Gen.Int[1, 15].Array[Courses.Length],
            Gen.Int[0, 15].Array[Pathways.Length],
            (courseMasks, pathwayMasks) => LearningCatalog.Of(
                Courses.Select((c, i) => (c, Modules.Where((_, bit) => (courseMasks[i] & (1 << bit)) != 0).ToArray()))
                    .Where(c => c.Item2.Length > 0 && c.c != "c3"),
                Pathways.Select((p, i) => (p, Courses.Where((_, bit) => (pathwayMasks[i] & (1 << bit)) != 0).ToArray()))
                    .Where(p => p.Item2.Length > 0)));

    /// <summary>Every event kind whose effect does not depend on what was applied before it.</summary>
    private static readonly Gen<TrackEvent> GenEvent =
        Gen.Select(Gen.Int[0, 8], Gen.Int[0, Pathways.Length - 1], Gen.Int[0, Courses.Length - 1], Gen.Int[0, Modules.Length - 1], Gen.Int[-20, 0], Gen.Int[0, Sources.Length - 1])
            .Select(t =>
            {
                var (kind, p, c, m, minutes, s) = t;
                var ts = Support.Ts(minutes);
                var payload = new JsonObject { ["ts"] = ts };
                var body = new JsonObject { ["payload"] = payload };
                switch (kind)
                {
                    case 0 or 1 or 2:
                        body["eventName"] = kind == 0 ? EventNames.ModuleStarted : EventNames.ModuleCompleted;
                        payload["pathway_slug"] = Pathways[p];
                        payload["course_slug"] = Courses[c];
                        payload["module_slug"] = Modules[m];
                        break;
                    case 3:
                        body["eventName"] = EventNames.ModuleCompleted;
                        payload["pathway_slug"] = Pathways[p];
                        payload["module_slug"] = Modules[m];
                        break;
                    case 4:
                        body["eventName"] = EventNames.ModuleCompleted;
                        payload["course_slug"] = Courses[c];
                        payload["module_slug"] = Modules[m];
                        break;
                    case 5:
                        body["eventName"] = EventNames.PathwayEnrolled;
                        body["pathway_slug"] = Pathways[p];
                        body["enrollment_source"] = Sources[s];
                        break;
                    case 6 or 7:
                        body["eventName"] = EventNames.CourseEnrolled;
                        body["course_slug"] = Courses[c];
                        body["pathway_slug"] = kind == 6 ? Pathways[p] : null;
                        body["enrollment_source"] = Sources[s];
                        break;
                    default:
                        body["eventName"] = EventNames.PageViewed;
                        payload["content_type"] = Sources[s] ?? "module";
                        payload["slug"] = Modules[m];
                        break;
                }

                return TrackEventParser.Parse(body.ToJsonString()).Value!;
            });

    /// <summary>Everything observable of a learner: its values as stored, and the figures people read.</summary>
    private static string Outcome(LearnerProgress learner, LearningCatalog catalog)
    {
        var (enrolled, completed) = ProgressFigures.Milestones(learner.State);
        return string.Join('\n', LearnerFields.Write(learner).Select(kv => $"{kv.Key}={kv.Value}")
            .Append($"summary={ProgressFigures.Summary(learner.State, catalog)}")
            .Append($"enrolled={string.Join(';', enrolled)}")
            .Append($"completed={string.Join(';', completed)}")
            .Append($"modules={ProgressFigures.CompletedModules(learner.State)}"));
    }

    /// <summary>The learner as a store keeps it and reads it back.</summary>
    private static LearnerProgress Reloaded(LearnerProgress learner)
    {
        var values = LearnerFields.Write(learner);
        return LearnerFields.Read(field => values.GetValueOrDefault(field)).Value!;
    }

    private static T[] Shuffle<T>(T[] items, int seed)
    {
        var copy = items.ToArray();
        new Random(seed).Shuffle(copy);
        return copy;
    }

    [Fact]
    public void Apply_AnyPermutationOfTheSameEvents_GivesTheSameStateAndProperties() =>
        Gen.Select(GenCatalog, GenEvent.Array[1, 40], Gen.Int).Sample((catalog, events, seed) =>
        {
            var inOrder = Support.ApplyAll(LearnerProgress.New, events, catalog);
            var shuffled = Support.ApplyAll(LearnerProgress.New, Shuffle(events, seed), catalog);
            Assert.Equal(Outcome(inOrder, catalog), Outcome(shuffled, catalog));
        }, iter: 300);

    [Fact]
    public void Apply_OnTopOfStoredState_AnyPermutation_GivesTheSameResult() =>
        Gen.Select(GenCatalog, GenEvent.Array[1, 20], GenEvent.Array[1, 20], Gen.Int).Sample((catalog, before, after, seed) =>
        {
            var stored = Reloaded(Support.ApplyAll(LearnerProgress.New, before, catalog));
            Assert.Equal(
                Outcome(Support.ApplyAll(stored, after, catalog), catalog),
                Outcome(Support.ApplyAll(stored, Shuffle(after, seed), catalog), catalog));
        }, iter: 200);

    [Fact]
    public void LearnerFields_ReadOfWhatWasWritten_IsTheSameLearner() =>
        Gen.Select(GenCatalog, GenEvent.Array[0, 30]).Sample((catalog, events) =>
        {
            var learner = Support.ApplyAll(LearnerProgress.New, events, catalog);
            Assert.Equal(LearnerFields.Write(learner), LearnerFields.Write(Reloaded(learner)));
        }, iter: 200);

    [Fact]
    public void Apply_EveryEventTwice_EqualsEveryEventOnce() =>
        Gen.Select(GenCatalog, GenEvent.Array[1, 40]).Sample((catalog, events) =>
        {
            var once = Support.ApplyAll(LearnerProgress.New, events, catalog);
            var twice = Support.ApplyAll(LearnerProgress.New, events.SelectMany(e => new[] { e, e }), catalog);
            var replayed = Support.ApplyAll(once, events, catalog);
            Assert.Equal(Outcome(once, catalog), Outcome(twice, catalog));
            Assert.Equal(Outcome(once, catalog), Outcome(replayed, catalog));
        }, iter: 300);

    [Fact]
    public void Apply_ThroughStoredProperties_EqualsApplyingInMemory() =>
        Gen.Select(GenCatalog, GenEvent.Array[2, 30], Gen.Int[1, 29]).Sample((catalog, events, cut) =>
        {
            cut = Math.Min(cut, events.Length - 1);
            var inMemory = Support.ApplyAll(LearnerProgress.New, events, catalog);
            var reloaded = Reloaded(Support.ApplyAll(LearnerProgress.New, events[..cut], catalog));
            Assert.Equal(Outcome(inMemory, catalog), Outcome(Support.ApplyAll(reloaded, events[cut..], catalog), catalog));
        }, iter: 200);

    [Fact]
    public void Apply_ExplicitCompletions_NeverChangeTheState() =>
        Gen.Select(GenCatalog, GenEvent.Array[0, 30], Gen.Int[0, Courses.Length - 1], Gen.Int[0, Pathways.Length - 1], Gen.Bool).Sample((catalog, events, c, p, course) =>
        {
            var learner = Support.ApplyAll(LearnerProgress.New, events, catalog);
            var claim = course
                ? Support.Enrolled(EventNames.CourseCompleted, null, Courses[c], -1)
                : Support.Enrolled(EventNames.PathwayCompleted, Pathways[p], null, -1);
            var result = ProgressEngine.Apply(learner, claim, catalog, Support.Now);
            if (result.IsApplied)
            {
                Assert.Equal(ProgressStateJson.Write(learner.State), ProgressStateJson.Write(result.Learner.State));
            }
            else
            {
                Assert.Equal(ErrorCodes.InvalidEventData, result.Rejection.Code);
            }
        }, iter: 300);

    [Fact]
    public void StateJson_RoundTripsLosslessly_UnknownFieldsIncluded() =>
        Gen.Select(GenCatalog, GenEvent.Array[0, 30], Gen.Int[0, 1000]).Sample((catalog, events, salt) =>
        {
            var written = JsonNode.Parse(ProgressStateJson.Write(Support.ApplyAll(LearnerProgress.New, events, catalog).State))!.AsObject();
            // Sprinkle unknown fields at every level the format has.
            written[$"meta_{salt}"] = salt;
            foreach (var (key, pathway) in written.ToList())
            {
                // Every key inside the top-level "courses" map is a course slug by definition, so none is added there.
                if (pathway is JsonObject p && key != ProgressState.StandaloneCoursesKey)
                {
                    p["x_pathway"] = new JsonArray(salt, "v");
                    foreach (var (_, course) in (p["courses"] as JsonObject)?.ToList() ?? [])
                    {
                        course!["x_course"] = new JsonObject { ["n"] = salt };
                        foreach (var (_, module) in (course["modules"] as JsonObject)?.ToList() ?? [])
                        {
                            module!["x_module"] = null;
                        }
                    }
                }
            }

            var text = written.ToJsonString();
            var read = ProgressStateJson.Read(text);
            Assert.True(read.IsOk);
            var rewritten = ProgressStateJson.Write(read.Value);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(text), JsonNode.Parse(rewritten)), $"{text}\n!=\n{rewritten}");
            Assert.Equal(rewritten, ProgressStateJson.Write(ProgressStateJson.Read(rewritten).Value!));
        }, iter: 300);

    private static LearnerProgress Fold(IEnumerable<TrackEvent> events, LearningCatalog catalog) => Support.ApplyAll(LearnerProgress.New, events, catalog);

    private static string Full(LearnerProgress learner, LearningCatalog catalog) => ProgressStateJson.Write(learner.State) + "\n" + Outcome(learner, catalog);

    [Fact]
    public void Merge_IsCommutative() =>
        Gen.Select(GenCatalog, GenEvent.Array[0, 25], GenEvent.Array[0, 25]).Sample((catalog, e1, e2) =>
        {
            var (a, b) = (Fold(e1, catalog), Fold(e2, catalog));
            Assert.Equal(Full(ProgressMerge.Merge(a, b, catalog), catalog), Full(ProgressMerge.Merge(b, a, catalog), catalog));
        }, iter: 300);

    [Fact]
    public void Merge_IsAssociative() =>
        Gen.Select(GenCatalog, GenEvent.Array[0, 20], GenEvent.Array[0, 20], GenEvent.Array[0, 20]).Sample((catalog, e1, e2, e3) =>
        {
            var (a, b, c) = (Fold(e1, catalog), Fold(e2, catalog), Fold(e3, catalog));
            Assert.Equal(
                Full(ProgressMerge.Merge(ProgressMerge.Merge(a, b, catalog), c, catalog), catalog),
                Full(ProgressMerge.Merge(a, ProgressMerge.Merge(b, c, catalog), catalog), catalog));
        }, iter: 300);

    [Fact]
    public void Merge_IsIdempotent() =>
        Gen.Select(GenCatalog, GenEvent.Array[0, 25], GenEvent.Array[0, 25]).Sample((catalog, e1, e2) =>
        {
            var (a, b) = (Fold(e1, catalog), Fold(e2, catalog));
            Assert.Equal(Full(a, catalog), Full(ProgressMerge.Merge(a, a, catalog), catalog));
            var ab = ProgressMerge.Merge(a, b, catalog);
            Assert.Equal(Full(ab, catalog), Full(ProgressMerge.Merge(ab, b, catalog), catalog));
        }, iter: 300);

    [Fact]
    public void Merge_AgreesWithApplyingEvents_ApplyThenMergeEqualsMergeThenApply() =>
        Gen.Select(GenCatalog, GenEvent.Array[0, 20], GenEvent.Array[0, 20], GenEvent).Sample((catalog, e1, e2, e) =>
        {
            var (a, b) = (Fold(e1, catalog), Fold(e2, catalog));
            var applied = ProgressEngine.Apply(a, e, catalog, Support.Now);
            Assert.True(applied.IsApplied);
            var mergedThenApplied = ProgressEngine.Apply(ProgressMerge.Merge(a, b, catalog), e, catalog, Support.Now);
            Assert.True(mergedThenApplied.IsApplied);
            Assert.Equal(Full(ProgressMerge.Merge(applied.Learner, b, catalog), catalog), Full(mergedThenApplied.Learner, catalog));
        }, iter: 300);

    [Fact]
    public void Merge_OfTwoFolds_EqualsTheFoldOfAllTheEvents() =>
        Gen.Select(GenCatalog, GenEvent.Array[0, 25], GenEvent.Array[0, 25]).Sample((catalog, e1, e2) =>
            Assert.Equal(Full(Fold(e1.Concat(e2), catalog), catalog), Full(ProgressMerge.Merge(Fold(e1, catalog), Fold(e2, catalog), catalog), catalog)),
            iter: 300);

    [Fact]
    public void Merge_ThroughStoredProperties_LosesNothing() =>
        Gen.Select(GenCatalog, GenEvent.Array[0, 20], GenEvent.Array[0, 20]).Sample((catalog, e1, e2) =>
        {
            var legacy = Reloaded(Fold(e1, catalog));
            Assert.Equal(
                ProgressStateJson.Write(Fold(e1.Concat(e2), catalog).State),
                ProgressStateJson.Write(ProgressMerge.Merge(legacy, Fold(e2, catalog), catalog).State));
        }, iter: 200);
}
