// ProgressMeter (core/progress.h) against a fake clock: what it writes and when, for plain lines
// (logs, CI) and for a terminal bar. No real time is measured.

#include "core/progress.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sentzoo {
namespace {

// A meter whose clock is `now` and whose output is collected in `out`.
struct FakeSink {
  double now = 0;
  std::vector<std::string> out;
  ProgressMeter meter(bool terminal) {
    ProgressStyle style;
    style.terminal = terminal;  // quiet 3 s, a line per 10 s, a redraw per 0.2 s, 24-char bar
    return ProgressMeter(
        style, [this](const std::string& s) { out.push_back(s); }, [this] { return now; });
  }
};

TEST(Progress, PlainLinesEveryTenSecondsAfterAQuietStart) {
  FakeSink sink;
  auto meter = sink.meter(/*terminal=*/false);
  auto at = [&](double t, int64_t done) {
    sink.now = t;
    meter.update("dual encoder: encoding test texts", done, 100);
  };
  at(100, 0);    // the stage starts: its clock reads 0 s
  at(101, 10);   // within the quiet 3 s: nothing
  at(104, 40);   // first line
  at(105, 50);   // within 10 s of the last line: nothing
  at(114, 90);   // second line
  at(120, 100);  // finished: a closing line
  const std::vector<std::string> want = {
      "dual encoder: encoding test texts 40/100 (40%), 10.0/s, 4.0 s elapsed, ETA 6.0 s\n",
      "dual encoder: encoding test texts 90/100 (90%), 6.4/s, 14 s elapsed, ETA 1.6 s\n",
      "dual encoder: encoding test texts 100/100 (100%), 5.0/s, done in 20 s\n"};
  EXPECT_EQ(sink.out, want);
}

TEST(Progress, ShortStagesPrintNothing) {
  for (bool terminal : {false, true}) {
    FakeSink sink;
    auto meter = sink.meter(terminal);
    sink.now = 5;
    meter.update("a", 0, 10);
    sink.now = 6;
    meter.update("a", 5, 10);
    sink.now = 7.9;
    meter.update("a", 10, 10);
    // A second stage is timed from its own start, not from the first one's.
    meter.update("b", 0, 10);
    sink.now = 9;
    meter.update("b", 10, 10);
    EXPECT_TRUE(sink.out.empty()) << terminal << ": " << sink.out.front();
  }
}

TEST(Progress, TerminalBarRedrawsInPlaceAndEndsWithANewline) {
  FakeSink sink;
  auto meter = sink.meter(/*terminal=*/true);
  meter.update("encoding texts", 0, 200);
  sink.now = 4;
  meter.update("encoding texts", 50, 200);
  sink.now = 4.1;  // within 0.2 s of the last redraw: skipped
  meter.update("encoding texts", 60, 200);
  sink.now = 8;
  meter.update("encoding texts", 200, 200);
  ASSERT_EQ(sink.out.size(), 2u);
  EXPECT_EQ(sink.out[0],
            "\rencoding texts [######..................] 50/200 25% 12.5/s ETA 12 s\x1b[K");
  EXPECT_EQ(sink.out[1],
            "\rencoding texts [########################] 200/200 100% 25.0/s done in 8.0 s"
            "\x1b[K\n");
}

TEST(Progress, ANewStageEndsAnUnfinishedBarLine) {
  FakeSink sink;
  auto meter = sink.meter(/*terminal=*/true);
  meter.update("cross encoder: query pairs for N = 1000", 0, 1000);
  sink.now = 5;
  meter.update("cross encoder: query pairs for N = 1000", 256, 1000);
  meter.update("next", 0, 10);
  ASSERT_EQ(sink.out.size(), 2u);
  EXPECT_EQ(sink.out[1], "\n");
}

TEST(Progress, DurationsReadNaturally) {
  EXPECT_EQ(detail::format_duration(3.4), "3.4 s");
  EXPECT_EQ(detail::format_duration(42), "42 s");
  EXPECT_EQ(detail::format_duration(75), "1 min 15 s");
  EXPECT_EQ(detail::format_duration(3720), "1 h 02 min");
  EXPECT_EQ(detail::format_duration(-1), "?");
  EXPECT_EQ(detail::progress_line("s", 0, 10, 0), "s 0/10 (0%), -/s, 0.0 s elapsed, ETA ?");
}

}  // namespace
}  // namespace sentzoo
