package model

import "farend/internal/source"

// Platform is what a router's show outputs say about its hardware and
// software (show version, boot console).
type Platform struct {
	// Model is the chassis as printed ("Cisco 2811"); Family is the
	// platform name used in limits tables ("c2811").
	Model  string `json:"model,omitempty"`
	Family string `json:"family,omitempty"`
	// Software is the image family ("C2800NM-ADVIPSERVICESK9-M"); Version
	// the release ("15.1(4)M12a"); Image the file booted.
	Software string `json:"software,omitempty"`
	Version  string `json:"version,omitempty"`
	Image    string `json:"image,omitempty"`
	// MainMemoryKB and IOMemoryKB are the two numbers of "with
	// 770048K/16384K bytes of memory"; their sum is the DRAM IOS uses.
	MainMemoryKB int `json:"main_memory_kb,omitempty"`
	IOMemoryKB   int `json:"io_memory_kb,omitempty"`
	// NVRAMKB and FlashKB are the non-volatile memory sizes.
	NVRAMKB int `json:"nvram_kb,omitempty"`
	FlashKB int `json:"flash_kb,omitempty"`
	// ConsoleMemoryKB is the main memory the boot console reports ("c2811
	// platform with 786432 Kbytes of main memory"); 0 when unknown.
	ConsoleMemoryKB int `json:"console_memory_kb,omitempty"`
	// MemoryWarnings are the boot console's memory messages as printed
	// ("This platform does not support 1 GB Memory").
	MemoryWarnings []string `json:"memory_warnings,omitempty"`
	SerialNumber   string   `json:"serial_number,omitempty"`
	ConfigRegister string   `json:"config_register,omitempty"`
	Uptime         string   `json:"uptime,omitempty"`
	// Sources are the files read, Pos the line of each fact kept in Facts.
	Sources []string       `json:"sources,omitempty"`
	Facts   []PlatformFact `json:"facts,omitempty"`
}

// PlatformFact records where one platform fact was read.
type PlatformFact struct {
	What string     `json:"what"`
	Pos  source.Pos `json:"pos"`
}

// TotalMemoryKB is the DRAM IOS reports (main plus I/O memory); 0 when
// unknown.
func (p *Platform) TotalMemoryKB() int { return p.MainMemoryKB + p.IOMemoryKB }
