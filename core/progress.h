#pragma once
// Progress of long jobs (issue #15): the library reports (stage, done, total) through a callback
// and never writes; a main creates a ProgressMeter that turns those calls into a bar with rate
// and ETA on a terminal, or one plain line every few seconds otherwise (logs, CI), and nothing
// at all for a stage that ends within the first few seconds.

#include <cstdint>
#include <functional>
#include <string>

namespace sentzoo {

/// Called by long library jobs: `stage` names the work (e.g. "dual encoder: test pairs"),
/// `done` of `total` units are finished (0 at the start). May be empty (silent).
using StageProgress = std::function<void(const std::string& stage, int64_t done, int64_t total)>;

struct ProgressStyle {
  bool terminal = false;        // true: redraw one bar line with '\r'; false: plain lines
  double quiet_seconds = 3;     // a stage that finishes sooner prints nothing
  double line_seconds = 10;     // plain lines: at most one per this many seconds
  double redraw_seconds = 0.2;  // terminal: at most one redraw per this many seconds
  int bar_width = 24;           // terminal: characters of the bar itself
};

class ProgressMeter {
 public:
  using Clock = std::function<double()>;                  // monotonic seconds
  using Write = std::function<void(const std::string&)>;  // raw text for the sink (stderr)

  /// `write` receives whole lines ("...\n") or, on a terminal, "\r" + bar (+ "\n" at the end).
  ProgressMeter(ProgressStyle style, Write write, Clock clock = {});

  /// The StageProgress to hand to library calls; the meter must outlive its use.
  StageProgress callback();
  void update(const std::string& stage, int64_t done, int64_t total);

 private:
  ProgressStyle style_;
  Write write_;
  Clock clock_;
  std::string stage_;
  int64_t last_done_ = -1;
  double start_ = 0, last_write_ = 0;
  bool shown_ = false;  // this stage has written something
};

namespace detail {
/// "dual encoder: test pairs 1200/4906 (24%), 310/s, 3.9 s elapsed, ETA 12 s"; once done:
/// "dual encoder: test pairs 4906/4906 (100%), 310/s, done in 15.8 s".
std::string progress_line(const std::string& stage, int64_t done, int64_t total, double elapsed);
/// "dual encoder: test pairs [#####.......] 1200/4906 24% 310/s ETA 12 s" (no '\r').
std::string progress_bar(
    const std::string& stage, int64_t done, int64_t total, double elapsed, int width);
/// "12 s", "3 min 05 s", "1 h 02 min".
std::string format_duration(double seconds);
}  // namespace detail

}  // namespace sentzoo
