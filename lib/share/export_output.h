// Where `dpo export` writes: one file, or a directory of files (CSV of
// several tables), that appears under its name complete or not at all, and
// that can be taken back after it appeared: a disclosure the audit log does
// not record must not happen (Art. 5(2), 30(1)(d)), so when the log cannot
// be appended the output is removed again and what it replaced is put back.
//
// Contract:
//  - Everything is written under a hidden temporary name beside the
//    destination (".NAME.partial-XXXXXX"), files 0600 and directories 0700
//    from the moment they exist, each file fsynced, then renamed into place
//    by Publish(). Destroyed before Publish(), nothing is left.
//  - An existing destination is refused unless `overwrite`; it is replaced
//    only by Publish(), kept aside (".NAME.old-XXXXXX") until Keep() removes
//    it or Retract() puts it back. With `overwrite`, a directory is replaced
//    only when an earlier `dpo export` wrote it (it holds the marker file
//    .dpo-export), never a directory of someone's own files.
//  - Messages name paths and never any content.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/output_path.h"
#include "util/status.h"

namespace dpo::share {

// The marker file in every directory output.
inline constexpr const char* kExportMarker = ".dpo-export";

// Checks a file destination before any work (util::CheckOutputPath, no
// device and no stdout: an export is a file that can be taken back), and
// returns the path to write (a symbolic link's target).
Result<std::string> CheckFileDestination(const std::string& path, const std::vector<util::ProtectedPath>& inputs,
                                         bool overwrite, const char* flag);
// Checks a directory destination: not one of `inputs`, inside one or holding
// one; not an existing path unless `overwrite` and it is an earlier export's
// directory.
Status CheckDirectoryDestination(const std::string& path, const std::vector<util::ProtectedPath>& inputs,
                                 bool overwrite, const char* flag);

class ExportOutput {
 public:
  // One file at `path` (as CheckFileDestination returned it).
  static Result<std::unique_ptr<ExportOutput>> CreateFile(const std::string& path, bool overwrite);
  // A directory at `path`, with the marker file.
  static Result<std::unique_ptr<ExportOutput>> CreateDirectory(const std::string& path, bool overwrite);

  ~ExportOutput();
  ExportOutput(const ExportOutput&) = delete;
  ExportOutput& operator=(const ExportOutput&) = delete;

  // Starts the next file: `name` inside a directory (a plain file name,
  // which the caller has escaped); ignored for a file output, which has one.
  Status BeginFile(const std::string& name);
  Status Write(std::string_view bytes);  // buffered; large writes
  Status EndFile();
  // Syncs and renames into place (see the contract).
  Status Publish();
  // After Publish(): removes the output and puts back what it replaced.
  Status Retract();
  // After Publish(): removes what the output replaced. Also done by the
  // destructor of a published output that was not retracted.
  void Keep();

  const std::string& path() const { return path_; }
  bool is_directory() const { return directory_; }

 private:
  ExportOutput(std::string path, bool directory, bool overwrite)
      : path_(std::move(path)), directory_(directory), overwrite_(overwrite) {}
  Status Flush();
  void Abandon();

  std::string path_;
  bool directory_ = false;
  bool overwrite_ = false;
  std::string partial_;  // the temporary file or directory; "" once renamed
  std::string aside_;    // what Publish() replaced, until Keep() or Retract()
  std::string current_;  // the file being written
  int fd_ = -1;
  bool file_begun_ = false;
  bool published_ = false;
  std::string buffer_;
};

}  // namespace dpo::share
