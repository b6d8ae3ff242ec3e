// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu_dma: DMA through a VM's own IOMMU driver, for the L2 guest of the
 * real-VMM test (scripts/run-vmm.sh). It binds QEMU's edu device and moves
 * data with the DMA API, so that the guest's SMMUv3 driver writes its STE,
 * CD and page tables and sends its TLB invalidations to the vSMMU (QEMU
 * 11.1's accelerated SMMUv3, backed by iommufd on the host). VFIO cannot be
 * used in such a guest: the IORT of an accelerated vSMMU reserves the MSI
 * doorbell 1:1, and VFIO refuses a device with a 1:1 reservation.
 *
 * Each test prints one KTAP result line ("ok N name" or "not ok N name");
 * the harness reads them from the console:
 *  1. round_trip: ROUNDS times, a page with a fresh pattern to edu's buffer
 *     and back into a second page, both mapped with dma_map_page(); the
 *     data must come back.
 *  2. unmapped_dma_blocked: edu DMAs into a mapped page (its translation
 *     is now cached), the page is unmapped (strict mode: the unmap
 *     invalidates the TLBs before it returns) and refilled, and edu DMAs
 *     to the same address again: the page must not change. It proves the
 *     guest's invalidation reached the TLBs the device's DMA goes through.
 * edu polls: its completion interrupt is not used (MSIs through the vSMMU
 * are not needed for the test).
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci.h>

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define EDU_ID		0x00
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_DMA_START	(1 << 0)
#define EDU_DMA_TO_RAM	(1 << 1)
#define EDU_BUF_ADDR	0x40000
#define EDU_BUF_SIZE	4096
/* edu clamps DMA addresses to its dma_mask property, 28 bits by default */
#define EDU_DMA_BITS	28

static unsigned int rounds = 16;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "round trips in the round_trip test");

static int edu_dma(void __iomem *bar, u64 src, u64 dst, u32 cmd)
{
	int i;

	writeq(src, bar + EDU_DMA_SRC);
	writeq(dst, bar + EDU_DMA_DST);
	writeq(EDU_BUF_SIZE, bar + EDU_DMA_CNT);
	writeq(EDU_DMA_START | cmd, bar + EDU_DMA_CMD);
	/* edu runs a DMA from a timer, 100 ms after the command */
	for (i = 0; i < 500; i++) {
		if (!(readq(bar + EDU_DMA_CMD) & EDU_DMA_START))
			return 0;
		msleep(10);
	}
	return -ETIMEDOUT;
}

static void fill(struct page *page, u32 seed)
{
	u32 *p = page_address(page);
	int i;

	for (i = 0; i < EDU_BUF_SIZE / sizeof(*p); i++)
		p[i] = seed * 2654435761u + i;
}

static int check(struct page *page, u32 seed)
{
	u32 *p = page_address(page);
	int i;

	for (i = 0; i < EDU_BUF_SIZE / sizeof(*p); i++)
		if (p[i] != seed * 2654435761u + i)
			return i;
	return -1;
}

static int round_trip(struct pci_dev *pdev, void __iomem *bar,
		      struct page *out, struct page *in, unsigned int round)
{
	struct device *dev = &pdev->dev;
	dma_addr_t src, dst;
	int ret, bad;

	fill(out, round);
	memset(page_address(in), 0, EDU_BUF_SIZE);
	src = dma_map_page(dev, out, 0, EDU_BUF_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, src))
		return -ENOMEM;
	dst = dma_map_page(dev, in, 0, EDU_BUF_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, dst)) {
		dma_unmap_page(dev, src, EDU_BUF_SIZE, DMA_TO_DEVICE);
		return -ENOMEM;
	}
	ret = edu_dma(bar, src, EDU_BUF_ADDR, 0);
	if (!ret)
		ret = edu_dma(bar, EDU_BUF_ADDR, dst, EDU_DMA_TO_RAM);
	dma_unmap_page(dev, dst, EDU_BUF_SIZE, DMA_FROM_DEVICE);
	dma_unmap_page(dev, src, EDU_BUF_SIZE, DMA_TO_DEVICE);
	if (ret) {
		dev_err(dev, "round %u: DMA timed out\n", round);
		return ret;
	}
	bad = check(in, round);
	if (bad >= 0) {
		dev_err(dev, "round %u: IOVA %pad word %d is %#x\n", round, &dst,
			bad, ((u32 *)page_address(in))[bad]);
		return -EIO;
	}
	return 0;
}

static int unmapped_dma_blocked(struct pci_dev *pdev, void __iomem *bar,
				struct page *victim, struct page *other)
{
	struct device *dev = &pdev->dev;
	dma_addr_t iova, src;
	int ret, bad;

	/* edu's buffer: pattern 2 */
	fill(other, 2);
	src = dma_map_page(dev, other, 0, EDU_BUF_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, src))
		return -ENOMEM;
	ret = edu_dma(bar, src, EDU_BUF_ADDR, 0);
	dma_unmap_page(dev, src, EDU_BUF_SIZE, DMA_TO_DEVICE);
	if (ret)
		return ret;

	/* A DMA through the mapping: the translation is now in the TLBs */
	memset(page_address(victim), 0, EDU_BUF_SIZE);
	iova = dma_map_page(dev, victim, 0, EDU_BUF_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, iova))
		return -ENOMEM;
	ret = edu_dma(bar, EDU_BUF_ADDR, iova, EDU_DMA_TO_RAM);
	dma_unmap_page(dev, iova, EDU_BUF_SIZE, DMA_FROM_DEVICE);
	if (ret)
		return ret;
	if (check(victim, 2) >= 0) {
		dev_err(dev, "DMA to mapped IOVA %pad did not land\n", &iova);
		return -EIO;
	}

	/*
	 * The unmap invalidated the TLBs (strict mode): the same DMA again
	 * must not reach the page.
	 */
	fill(victim, 1);
	ret = edu_dma(bar, EDU_BUF_ADDR, iova, EDU_DMA_TO_RAM);
	if (ret)
		return ret;
	bad = check(victim, 1);
	if (bad >= 0) {
		dev_err(dev, "DMA to unmapped IOVA %pad landed: word %d is %#x\n",
			&iova, bad, ((u32 *)page_address(victim))[bad]);
		return -EIO;
	}
	dev_info(dev, "DMA to unmapped IOVA %pad did not land\n", &iova);
	return 0;
}

static int edu_dma_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct iommu_domain *domain;
	struct page *a, *b;
	void __iomem *bar;
	unsigned int i;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	bar = pcim_iomap(pdev, 0, 0);
	if (!bar)
		return -ENOMEM;
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(EDU_DMA_BITS));
	if (ret)
		return ret;
	domain = iommu_get_domain_for_dev(&pdev->dev);
	dev_info(&pdev->dev, "edu %#x, IOMMU domain type %#x\n",
		 readl(bar + EDU_ID), domain ? domain->type : 0);

	a = alloc_page(GFP_KERNEL);
	b = alloc_page(GFP_KERNEL);
	if (!a || !b) {
		ret = -ENOMEM;
		goto out;
	}

	pr_info("KTAP version 1\n");
	pr_info("1..2\n");
	ret = 0;
	for (i = 0; i < rounds && !ret; i++)
		ret = round_trip(pdev, bar, a, b, i);
	pr_info("%sok 1 round_trip # %u rounds\n", ret ? "not " : "", i);
	ret = unmapped_dma_blocked(pdev, bar, a, b);
	pr_info("%sok 2 unmapped_dma_blocked\n", ret ? "not " : "");
	ret = 0;
out:
	if (b)
		__free_page(b);
	if (a)
		__free_page(a);
	return ret;
}

static const struct pci_device_id edu_dma_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_dma_ids);

static struct pci_driver edu_dma_driver = {
	.name = "edu_dma",
	.id_table = edu_dma_ids,
	.probe = edu_dma_probe,
};
module_pci_driver(edu_dma_driver);

MODULE_DESCRIPTION("DMA through a VM's IOMMU with QEMU's edu device");
MODULE_LICENSE("GPL");
