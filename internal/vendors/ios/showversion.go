package ios

import (
	"regexp"
	"strconv"
	"strings"

	"farend/internal/model"
	"farend/internal/source"
)

var (
	reSoftware = regexp.MustCompile(`^Cisco IOS.* Software, .*\(([^)]+)\), Version ([^, ]+)`)
	reMemory   = regexp.MustCompile(`^[Cc]isco (\S+(?: \S+)?) \((?:revision [^)]*|[^)]*)\) (?:processor )?\(?.*with (\d+)K/(\d+)K bytes of memory`)
	reImage    = regexp.MustCompile(`^System image file is "([^"]+)"`)
	reNVRAM    = regexp.MustCompile(`^(\d+)K bytes of non-volatile configuration memory`)
	reFlash    = regexp.MustCompile(`^(\d+)K bytes of (?:ATA CompactFlash|processor board System flash|flash)`)
	reSerial   = regexp.MustCompile(`^Processor board ID (\S+)`)
	reConfReg  = regexp.MustCompile(`^Configuration register is (\S+)`)
	reUptime   = regexp.MustCompile(` uptime is (.+)$`)
	reConsole  = regexp.MustCompile(`^(\S+) platform with (\d+) Kbytes of main memory`)
)

// ParseShowVersion reads the output of IOS `show version` (or a boot
// console log, whose memory lines it also knows) into p. Lines that carry
// none of these facts are not reported: a show output is not a
// configuration, and farend reads only what it needs from it.
func ParseShowVersion(file string, data []byte, p *model.Platform) {
	p.Sources = append(p.Sources, file)
	n := 0
	fact := func(what string) {
		p.Facts = append(p.Facts, model.PlatformFact{What: what, Pos: source.Pos{File: file, Line: n}})
	}
	forEachLine(data, func(s string) bool {
		n++
		t := strings.TrimSpace(s)
		if m := reSoftware.FindStringSubmatch(t); m != nil {
			p.Software, p.Version = m[1], m[2]
			fact("software " + m[1] + " " + m[2])
		} else if m := reMemory.FindStringSubmatch(t); m != nil {
			p.Model = "Cisco " + m[1]
			p.Family = "c" + strings.ToLower(strings.Fields(m[1])[0])
			p.MainMemoryKB, _ = strconv.Atoi(m[2])
			p.IOMemoryKB, _ = strconv.Atoi(m[3])
			fact("model and memory")
		} else if m := reImage.FindStringSubmatch(t); m != nil {
			p.Image = m[1]
		} else if m := reNVRAM.FindStringSubmatch(t); m != nil {
			p.NVRAMKB, _ = strconv.Atoi(m[1])
		} else if m := reFlash.FindStringSubmatch(t); m != nil {
			p.FlashKB, _ = strconv.Atoi(m[1])
		} else if m := reSerial.FindStringSubmatch(t); m != nil {
			p.SerialNumber = m[1]
		} else if m := reConfReg.FindStringSubmatch(t); m != nil {
			p.ConfigRegister = m[1]
		} else if m := reConsole.FindStringSubmatch(t); m != nil {
			if p.Family == "" {
				p.Family = m[1]
			}
			p.ConsoleMemoryKB, _ = strconv.Atoi(m[2])
			fact("console main memory")
		} else if strings.Contains(t, "does not support") && strings.Contains(t, "Memory") ||
			strings.HasPrefix(t, "Total Memory is Restricted") {
			p.MemoryWarnings = append(p.MemoryWarnings, t)
			fact("memory warning")
		} else if m := reUptime.FindStringSubmatch(t); m != nil && p.Uptime == "" {
			p.Uptime = m[1]
		}
		return true
	})
}
